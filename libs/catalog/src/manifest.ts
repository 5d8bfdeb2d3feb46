/**
 * @module manifest
 * A run's manifest, `runs/<id>/manifest.json`: what was run (spec, seeds, versions), how it
 * went (status, stage timings), and a summary for listings. Its presence is what makes a
 * run visible, so it is written after every other file of the run.
 */
import { MAX_SPEC_DEPTH, nestedTooDeep } from '@carve/spec';
import { z } from 'zod';
import { RUN_ID_PATTERN } from './run-id';

const timestamp = z.iso.datetime({ offset: true });

/** One stage of the pipeline (train, sample, search, report...) and its timing. */
export const stageSchema = z.object({
  name: z.string().min(1),
  status: z.enum(['running', 'complete', 'failed', 'skipped']),
  started: timestamp.optional(),
  /** Wall-clock seconds the stage took (so far, while running). */
  seconds: z.number().nonnegative().optional(),
  /**
   * The process's peak resident memory when the stage ended, in MB: a high-water mark over
   * the process's life, so a stage's own peak shows where it rises above the stages before.
   */
  peakRssMb: z.number().nonnegative().optional(),
});

/** A file of the run as `publishRun` stored it; a later publish skips it when unchanged. */
export const runFileSchema = z.object({
  /** '/'-separated path inside the run's folder. */
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
});

/** What listings show without opening the run's other files. */
export const runSummarySchema = z.object({
  /** The model that was compressed: a preset or a checkpoint's name. */
  model: z.string().optional(),
  /** The objectives of the search, in order. */
  objectives: z.array(z.string()).optional(),
  trials: z.number().int().nonnegative().optional(),
  /** Members of the Pareto front. */
  frontSize: z.number().int().nonnegative().optional(),
  hypervolume: z.number().optional(),
});

/** Where a run's numerical work ran. Free-form strings, so that a reader need not know every device. */
export const runDeviceSchema = z.object({
  /** What the spec asked for: 'auto', 'cpu', 'cuda'. */
  requested: z.string().min(1),
  /** The ONNX Runtime execution provider that ran the graphs: 'cpu', 'cuda'. */
  provider: z.string().min(1),
  /** The hardware: 'CPU: <model>, <n> cores', 'CUDA device 0 (...)'. */
  description: z.string(),
});

export const runManifestSchema = z.object({
  /** Bumped when a field changes meaning, so an old reader refuses a new manifest. */
  format: z.literal(1),
  id: z.string().regex(RUN_ID_PATTERN, 'must be a run id like 20261128-2042-a1b2c3'),
  status: z.enum(['running', 'complete', 'failed']),
  created: timestamp,
  updated: timestamp,
  /**
   * The run spec as given; the pipeline owns its schema. Only its depth is checked here: a spec
   * nested deeper than any run spec is (parseRunSpec refuses them) would overflow the stack
   * where the manifest is written or shown.
   */
  spec: z.record(z.string(), z.unknown()).superRefine((spec, ctx) => {
    const path = nestedTooDeep(spec);
    if (path) ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_SPEC_DEPTH} levels (at ${path.slice(0, 4).join('.')}…)` });
  }),
  /** Every seed the run used, by what it seeded (`{ search: 1, sampler: 7 }`). */
  seeds: z.record(z.string(), z.number().int()),
  /** Versions of carve's packages and of the dependencies that shape results (`onnxruntime-node`). */
  versions: z.record(z.string(), z.string()),
  stages: z.array(stageSchema).default([]),
  summary: runSummarySchema.default({}),
  /** Where the run ran; absent from manifests written before it was recorded. */
  device: runDeviceSchema.optional(),
  /** Why a failed run failed. */
  error: z.string().optional(),
  /** Filled in by `publishRun`. */
  files: z.array(runFileSchema).default([]),
});

/** A manifest as read (defaults filled in). */
export type RunManifest = z.output<typeof runManifestSchema>;
/** A manifest as written by a caller (fields with defaults may be left out). */
export type RunManifestInput = z.input<typeof runManifestSchema>;
export type RunStatus = RunManifest['status'];
export type RunStage = z.output<typeof stageSchema>;
export type RunFile = z.output<typeof runFileSchema>;
export type RunDevice = z.output<typeof runDeviceSchema>;
export type RunSummaryFields = z.output<typeof runSummarySchema>;
