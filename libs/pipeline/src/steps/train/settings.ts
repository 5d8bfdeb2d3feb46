/**
 * @module steps/train/settings
 * The settings of super-network training: one zod schema for every hyperparameter, the
 * defaults that depend on the model, and which settings a resumed run may not change. Where
 * the settings come from (a command line, a config file, a run spec) is the caller's business;
 * messages name each setting as the caller says (`--lr`, `lr in cfg.json`, `training.lr`).
 */
import { LORA_TARGETS } from '@carve/model';
import { z } from 'zod';

/** Sources the data can be read as; without `format`, a .jsonl file is JSONL and any other text. */
export const TRAIN_DATA_FORMATS = ['text', 'jsonl', 'alpaca'] as const;

const int = (min: number) => z.number().int().min(min);
const options = z.record(z.string(), z.unknown()).default({});

/**
 * Every setting, by its name in a config file (the option's camelCase). Defaults are nanoGPT's
 * and LitGPT's where they apply; `seqLen`, `warmup` and `minLr` default from the model and the
 * other settings (see `resolveTrainDefaults`).
 */
export const trainSettingsSchema = z.strictObject({
  // What to train, on what.
  checkpoint: z.string().min(1),
  tokenizer: z.string().min(1),
  data: z.array(z.string().min(1)).min(1),
  format: z.enum(TRAIN_DATA_FORMATS).optional(),
  /** Cuts text files into documents (so a validation split is possible). */
  separator: z.string().min(1).optional(),
  // The super-network: strategy, sampler, space (plugins, checked against the registry).
  strategy: z.string().default('sandwich-kd'),
  strategyOptions: options,
  sampler: z.string().default('calibrated'),
  samplerOptions: options,
  space: z.string().default('joint'),
  spaceOptions: options,
  importance: z.string().min(1).optional(),
  // What trains: LoRA adapters (LitGPT's usual rank 8, alpha 16) or, with `full`, every weight.
  full: z.boolean().default(false),
  loraRank: int(1).default(8),
  loraAlpha: z.number().positive().default(16),
  loraDropout: z.number().min(0).lt(1).default(0),
  loraTargets: z.array(z.enum(LORA_TARGETS as readonly ['q', 'k', 'v', 'o', 'mlp', 'head'])).min(1).default([...LORA_TARGETS]),
  // The loop.
  steps: int(1).default(1000),
  batchSize: int(1).default(8),
  seqLen: int(1).optional(),
  /** Micro-batches per optimizer step: the effective batch is batchSize × accumulation. */
  accumulation: int(1).default(1),
  // AdamW on warm-up + cosine; clip 1 as nanoGPT (0: no clipping).
  lr: z.number().positive().default(3e-4),
  warmup: int(0).optional(),
  minLr: z.number().min(0).optional(),
  weightDecay: z.number().min(0).default(0),
  clip: z.number().min(0).default(1),
  // Validation, checkpoints, randomness.
  validationFraction: z.number().min(0).lt(1).default(0.05),
  evalEvery: int(1).default(100),
  checkpointEvery: int(1).default(100),
  seed: int(0).default(0),
  /** ONNX Runtime intra-op threads: how fast, not what; a resumed run may change it. */
  threads: int(1).default(1),
  /**
   * Peak resident memory the stage may use, MB: the batch then runs in micro-batches of the
   * most rows measured to fit (the gradient stays the batch's), and a step that still peaks
   * above it stops the run at its last checkpoint. A resumed run may change it.
   */
  memoryBudgetMb: int(1).optional(),
});

export type TrainSettings = z.output<typeof trainSettingsSchema>;
export type TrainSettingName = keyof TrainSettings;
export const TRAIN_SETTING_NAMES = Object.keys(trainSettingsSchema.shape) as TrainSettingName[];

/** The settings with the model-dependent defaults filled in: what a run uses and records. */
export type ResolvedTrainSettings = TrainSettings & { seqLen: number; warmup: number; minLr: number };

/**
 * How messages name a setting, or an act like `resume`, in advice ("give --full or LoRA
 * settings"): the command line's flag, a spec path. By default, its name as it is.
 */
export type SettingLabel = (name: string) => string;
export const plainLabel: SettingLabel = (name) => name;

/** Settings that change how fast a run goes but not its result. */
const RUNTIME_SETTINGS: readonly TrainSettingName[] = ['threads', 'memoryBudgetMb'];

/** Samplers that list fixed points: training draws each step's networks from them. */
export const GRID_SAMPLERS: readonly string[] = ['grid', 'param-grid', 'calibrated'];

/** The settings with the model-dependent defaults filled in. */
export function resolveTrainDefaults(s: TrainSettings, blockSize: number): ResolvedTrainSettings {
  return {
    ...s,
    seqLen: s.seqLen ?? Math.min(256, blockSize),
    warmup: s.warmup ?? Math.min(100, Math.floor(s.steps / 10)), // a tenth of the run, at most 100 steps
    minLr: s.minLr ?? s.lr / 10, // nanoGPT: min_lr about lr / 10, per Chinchilla
  };
}

/**
 * The settings a resumed run would change: each explicitly given setting (except the runtime
 * ones) whose value differs from the one in run.json, named by `where` (setting → how it was given).
 */
export function changedTrainSettings(stored: Record<string, unknown>, given: { values: Record<string, unknown>; where: Record<string, string> }, merged: TrainSettings): string[] {
  return Object.keys(given.values)
    .filter((k) => !RUNTIME_SETTINGS.includes(k as TrainSettingName) && JSON.stringify(merged[k as TrainSettingName]) !== JSON.stringify(stored[k]))
    .map((k) => `${given.where[k]} ${JSON.stringify(merged[k as TrainSettingName])} (the run has ${JSON.stringify(stored[k])})`);
}
