/**
 * @module fine-tune
 * LoRA fine-tuning of one standalone model on cross-entropy, with the super-network's own
 * step and loop (the 'standard' strategy: the full network only), so a baseline's
 * fine-tuning and the super-network's training differ in what they train, not in how.
 */
import { Rng, Runtime } from '@carve/engine';
import { Checkpoint, initLora, LoraConfig, mergeLora } from '@carve/model';
import { Sampler } from '@carve/sampler';
import { SuperNetworkStep } from './step';
import { TrainingStrategy } from './strategies';
import { BatchSource, StepMetrics, SuperNetworkTrainer } from './trainer';

export interface FineTuneOptions {
  data: BatchSource;
  steps: number;
  batchSize: number;
  /** Tokens per sequence. */
  seqLen: number;
  lr: number;
  /** @default 10% of the steps */
  warmupSteps?: number;
  /** @default lr / 10 */
  minLr?: number;
  lora: LoraConfig;
  /** Seeds the adapters' initialization and the LoRA dropout masks. */
  seed: number;
  /** Global gradient-norm bound. @default 1 */
  clip?: number;
  ignoreIndex?: number;
  /** @default a new CPU runtime, disposed at the end */
  runtime?: Runtime;
  onStep?: (metrics: StepMetrics) => void;
}

export interface FineTuneResult {
  /** The model with the trained adapters merged into its weights. */
  checkpoint: Checkpoint;
  /** Each step's training loss. */
  losses: number[];
}

const fullOnly: TrainingStrategy = { name: 'standard', plan: async () => [{ ceWeight: 1 }] };
// The full network is all the strategy ever plans, so nothing is ever sampled.
const noSampler: Sampler = {
  name: 'none',
  sample: async () => {
    throw new Error('fine-tuning samples no sub-networks');
  },
};

/** Trains LoRA adapters on `model` for `options.steps` steps and returns the merged model. */
export async function fineTune(model: Checkpoint, options: FineTuneOptions): Promise<FineTuneResult> {
  const rng = new Rng(options.seed);
  const adapters = initLora(model.config, options.lora, rng);
  const runtime = options.runtime ?? new Runtime();
  const step = new SuperNetworkStep({
    config: model.config,
    weights: new Map(model.weights),
    lora: { config: options.lora, adapters },
    trainable: 'lora',
    runtime,
    seqLen: options.seqLen,
    ignoreIndex: options.ignoreIndex,
    dropoutRng: new Rng(options.seed + 1),
  });
  const losses: number[] = [];
  try {
    const trainer = new SuperNetworkTrainer({
      step,
      strategy: fullOnly,
      sampler: noSampler,
      samplerRng: rng,
      data: options.data,
      batchSize: options.batchSize,
      steps: options.steps,
      warmupSteps: options.warmupSteps ?? Math.floor(options.steps / 10),
      lr: options.lr,
      minLr: options.minLr ?? options.lr / 10,
      clip: options.clip ?? 1,
      onStep: (m) => {
        losses.push(m.networks[0].loss);
        options.onStep?.(m);
      },
    });
    await trainer.run();
    return { checkpoint: { config: model.config, weights: mergeLora(model.config, model.weights, adapters, options.lora) }, losses };
  } finally {
    await step.dispose();
    if (!options.runtime) await runtime.dispose();
  }
}
