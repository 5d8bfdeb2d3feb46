/**
 * @module steps/baselines/run-baselines
 * The comparison a user needs to trust a front: at the size of every exported model, each
 * pruning baseline's model (pruned from the original, then fine-tuned with LoRA on the same
 * training batches for the same steps) and, for the paper's baseline, the same shape cut from
 * the sorted model and fine-tuned alone for its share of the super-network's steps. Every
 * model is measured by evaluateCheckpoint, as the exported ones are: the same held-out
 * windows, tasks and latency settings.
 */
import { createHash } from 'node:crypto';
import * as nodePath from 'node:path';
import { BaselineContext, PrunedModel, PruningBaseline } from '@carve/baselines';
import { Runtime } from '@carve/engine';
import { CalibrationSet } from '@carve/importance';
import { Checkpoint, countParams, extractSubNetwork, LoraConfig, rawOf, SubNetwork, writeJsonAtomic } from '@carve/model';
import { DataLoader, fineTune, TrainingData } from '@carve/trainer';
import { CheckpointEvaluationOptions, evaluateCheckpoint, ModelEvaluation } from '../evaluate';

export const BASELINES_FILE = 'baselines.json';
/** How baselines.json names the original fine-tuned: every method's model at the original's size. */
export const ORIGINAL_FINE_TUNED = 'original+ft';

/** A pruning method as the spec gives it, created through the registry. */
export interface BaselineMethod {
  /** How results name it: `activation-width+ft`, `flap`. */
  label: string;
  name: string;
  options: Record<string, unknown>;
  fineTune: boolean;
  baseline: PruningBaseline;
}

/** A size to compare at: an exported model. */
export interface BaselineTarget {
  /** The exported model's name (m1-114k). */
  name: string;
  /** Its sub-network of the (sorted) model. */
  subNetwork: SubNetwork;
}

export interface FineTuneSettings {
  steps: number;
  batchSize: number;
  seqLen: number;
  lr: number;
  lora: LoraConfig;
  seed: number;
}

export interface BaselinesOptions {
  /** The model as given, which the pruning methods prune. */
  original: Checkpoint;
  /** The importance-sorted model the super-network was cut from, for the paper's baseline. */
  sorted?: Checkpoint;
  targets: readonly BaselineTarget[];
  methods: readonly BaselineMethod[];
  /** Steps each sub-network is fine-tuned for in the paper's baseline; absent: not run. */
  subNetworkSteps?: number;
  calibration?: CalibrationSet;
  /** The training split, batched afresh for every fine-tuning so each sees the same batches. */
  data: TrainingData;
  fineTune: FineTuneSettings;
  evaluation: CheckpointEvaluationOptions;
  threads?: number;
  /** After each model is measured. */
  onModel?: (done: number, total: number, label: string) => void;
}

/** One baseline model in baselines.json. */
export interface BaselineModel extends Omit<ModelEvaluation, 'path'> {
  method: string;
  /** The exported model whose size it was pruned to. */
  target: string;
  /** Fine-tuning steps (0: measured as pruned). */
  steps: number;
  /** The training loss of the last fine-tuning step. */
  trainLoss?: number;
  /** What the method kept, in the original model's indices. */
  kept?: PrunedModel['kept'];
  /**
   * The model whose measurement this one shares: the method gave the same weights at two
   * sizes (a depth pruning or FLAP that cannot go lower), so fine-tuning on the same batches
   * would repeat the same run.
   */
  sameAs?: string;
}

export interface BaselinesFile {
  fineTune: FineTuneSettings;
  subNetworkSteps?: number;
  methods: { label: string; name: string; options: Record<string, unknown>; fineTune: boolean }[];
  /** The model as given, measured the same way: the 100% every baseline is compared with. */
  original: Omit<ModelEvaluation, 'path' | 'name'> & { vocabSize: number };
  models: BaselineModel[];
}

/** Prunes, fine-tunes and measures every method at every target; writes `folder`/baselines.json. */
export async function runBaselines(options: BaselinesOptions, folder: string): Promise<BaselinesFile> {
  const { original, targets, methods } = options;
  const runtime = new Runtime({ intraOpThreads: options.threads ?? 1 });
  const context: BaselineContext = { calibration: options.calibration, runtime };
  const fullSize = countParams(original.config);
  const isFullSize = (t: BaselineTarget) => countParams(original.config, t.subNetwork) === fullSize;
  const anyFineTuned = methods.some((m) => m.fineTune);
  const subNetworkModels = options.subNetworkSteps ? 1 : 0;
  const total = targets.reduce((n, t) => n + subNetworkModels + (isFullSize(t) ? (anyFineTuned ? 1 : 0) : methods.length), 0);
  const models: BaselineModel[] = [];
  const measuredBefore = new Map<string, BaselineModel>();
  const measure = async (method: string, target: BaselineTarget, model: Checkpoint, steps: number, kept?: PrunedModel['kept']) => {
    const name = `${method}@${target.name}`;
    const key = `${steps} ${checkpointDigest(model)}`;
    const before = measuredBefore.get(key);
    if (before) {
      const { name: sameAs, method: _m, target: _t, kept: _k, sameAs: _s, ...measurement } = before;
      models.push({ method, target: target.name, name, ...measurement, ...(kept ? { kept } : {}), sameAs });
      options.onModel?.(models.length, total, `${method} at ${target.name} (as ${sameAs})`);
      return;
    }
    let trainLoss: number | undefined;
    let measured = model;
    if (steps > 0) {
      const tuned = await fineTune(model, { ...options.fineTune, steps, data: new DataLoader(options.data), ignoreIndex: options.data.record.ignoreIndex, runtime });
      measured = tuned.checkpoint;
      trainLoss = tuned.losses[tuned.losses.length - 1];
    }
    const evaluation = await evaluateCheckpoint(measured, options.evaluation);
    const entry: BaselineModel = { method, target: target.name, name, steps, ...(trainLoss !== undefined ? { trainLoss } : {}), ...evaluation, ...(kept ? { kept } : {}) };
    measuredBefore.set(key, entry);
    models.push(entry);
    options.onModel?.(models.length, total, `${method} at ${target.name}`);
  };
  let measuredOriginal: Omit<ModelEvaluation, 'path' | 'name'>;
  try {
    measuredOriginal = await evaluateCheckpoint(original, options.evaluation);
    for (const target of targets) {
      if (isFullSize(target)) {
        // Pruning to the original's size keeps the original, whatever the method: it is measured
        // once as it is (`original`) and once fine-tuned, as the reference for the method's largest model.
        if (anyFineTuned) await measure(ORIGINAL_FINE_TUNED, target, original, options.fineTune.steps);
      } else {
        for (const m of methods) {
          const pruned = await m.baseline.prune(original, target.subNetwork, context);
          await measure(m.label, target, pruned.checkpoint, m.fineTune ? options.fineTune.steps : 0, pruned.kept);
        }
      }
      if (options.subNetworkSteps && options.sorted) {
        const cut = extractSubNetwork(options.sorted, target.subNetwork, { name: `${original.config.name}-subnetwork` });
        await measure('subnetwork+ft', target, cut, options.subNetworkSteps);
      }
    }
  } finally {
    await runtime.dispose();
  }
  const file: BaselinesFile = {
    fineTune: options.fineTune,
    ...(options.subNetworkSteps ? { subNetworkSteps: options.subNetworkSteps } : {}),
    methods: methods.map((m) => ({ label: m.label, name: m.name, options: m.options, fineTune: m.fineTune })),
    original: { ...measuredOriginal, vocabSize: original.config.vocabSize },
    models,
  };
  writeJsonAtomic(nodePath.join(folder, BASELINES_FILE), file);
  return file;
}

/** A digest of a checkpoint's shape and weights: equal digests, the same model. */
function checkpointDigest(checkpoint: Checkpoint): string {
  const { name: _name, ...shape } = checkpoint.config;
  const hash = createHash('sha256').update(JSON.stringify(shape));
  for (const name of [...checkpoint.weights.keys()].sort()) {
    const w = rawOf(checkpoint.weights.get(name)!);
    hash.update(w instanceof Uint16Array ? `${name}:f16` : name).update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  }
  return hash.digest('hex');
}

/**
 * Steps a sub-network gets in the paper's baseline: its share of the super-network's
 * training, the sampled sub-network slots of all steps divided among the grid's points.
 */
export function subNetworkShare(trainingSteps: number, sampledPerStep: number, gridSize: number): number {
  return Math.max(1, Math.round((trainingSteps * sampledPerStep) / Math.max(1, gridSize)));
}
