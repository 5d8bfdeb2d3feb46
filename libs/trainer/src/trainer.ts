/**
 * @module trainer
 * The super-network training loop: each step asks the strategy for its networks, runs them
 * over `accumulation` micro-batches, clips the summed gradient, and takes one AdamW step on
 * a warm-up + cosine schedule. Checkpoints hold everything a resumed run needs to finish
 * with the same weights as an uninterrupted one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdamW, AdamWOptions, clipGradNorm, Rng, UserError, warmupCosine } from '@carve/engine';
import { openSafetensors, writeJsonAtomic, writeSafetensors } from '@carve/model';
import { Sampler } from '@carve/sampler';
import { Batch, NetworkResult, SuperNetworkStep } from './step';
import { TrainingStrategy } from './strategies';

/** Where batches come from; its state goes into checkpoints. */
export interface BatchSource {
  nextBatch(batchSize: number): Batch;
  getState(): unknown;
  setState(state: unknown): void;
}

export interface TrainerOptions {
  step: SuperNetworkStep;
  strategy: TrainingStrategy;
  sampler: Sampler;
  /** The generator the sampler draws from: its state is checkpointed. */
  samplerRng: Rng;
  data: BatchSource;
  batchSize: number;
  /** Micro-batches per optimizer step. @default 1 */
  accumulation?: number;
  steps: number;
  warmupSteps?: number;
  lr: number;
  minLr?: number;
  optimizer?: Omit<AdamWOptions, 'lr'>;
  /** Global gradient-norm bound. @default none */
  clip?: number;
  /** Called after every step with its metrics (a JSON-lines log, a progress bar). */
  onStep?: (metrics: StepMetrics) => void;
}

export interface StepMetrics {
  step: number;
  lr: number;
  /** Each planned network's losses, averaged over the micro-batches. */
  networks: NetworkResult[];
  gradNorm: number;
}

interface SavedState {
  format: 'carve-trainer-checkpoint';
  version: 1;
  step: number;
  samplerRng: number[];
  dropoutRng?: number[];
  data: unknown;
  optimizerStep: number;
}

type Named = [string, { shape: number[]; data: Float32Array }];

export class SuperNetworkTrainer {
  private readonly optimizer: AdamW;
  private readonly schedule: (step: number) => number;
  private done = 0;

  constructor(readonly options: TrainerOptions) {
    this.optimizer = new AdamW(Object.fromEntries(options.step.parameters), { ...options.optimizer, lr: options.lr });
    this.schedule = warmupCosine({ peakLr: options.lr, warmupSteps: options.warmupSteps ?? 0, totalSteps: options.steps, minLr: options.minLr ?? 0 });
  }

  /** Steps completed so far (restored by `load`). */
  get stepsDone(): number {
    return this.done;
  }

  /** Trains until `until` steps are done (all of them by default). */
  async run(until = this.options.steps): Promise<void> {
    const { step, strategy, sampler, data, batchSize } = this.options;
    const accumulation = this.options.accumulation ?? 1;
    while (this.done < Math.min(until, this.options.steps)) {
      const plan = await strategy.plan(sampler);
      const grads = new Map<string, Float32Array>();
      const sums: NetworkResult[] = plan.map(() => ({ loss: 0, ce: 0 }));
      // The step's loss is the mean over its networks and micro-batches.
      const scale = 1 / (plan.length * accumulation);
      for (let m = 0; m < accumulation; m++) {
        const results = await step.accumulate(plan, data.nextBatch(batchSize), grads, scale);
        results.forEach((r, i) => {
          sums[i].loss += r.loss / accumulation;
          sums[i].ce += r.ce / accumulation;
          if (r.kd !== undefined) sums[i].kd = (sums[i].kd ?? 0) + r.kd / accumulation;
        });
      }
      const gradNorm = this.options.clip ? clipGradNorm(grads.values(), this.options.clip) : globalNorm(grads);
      const lr = this.schedule(this.done);
      // A non-finite gradient (an overflow) skips the update rather than poisoning the weights.
      if (Number.isFinite(gradNorm)) this.optimizer.step(Object.fromEntries(grads), lr);
      this.done += 1;
      this.options.onStep?.({ step: this.done, lr, networks: sums, gradNorm });
    }
  }

  /**
   * Writes a checkpoint of the trainable parameters, the optimizer's moments and the run's
   * state into `dir/step-<n>`, then points `dir/latest.json` at it. Each file is written to
   * a temporary name and renamed, and the pointer moves last: a crash at any moment leaves
   * the previous latest checkpoint intact.
   */
  save(dir: string): string {
    const name = `step-${String(this.done).padStart(6, '0')}`;
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    const state = this.optimizer.getState();
    const named = (prefix: string, entries: Iterable<[string, Float32Array]>): Named[] => [...entries].map(([n, data]) => [`${prefix}${n}`, { shape: [data.length], data }]);
    writeSafetensors(path.join(folder, 'trainable.safetensors'), named('', this.options.step.parameters));
    writeSafetensors(path.join(folder, 'optimizer.safetensors'), [...named('m.', Object.entries(state.m)), ...named('v.', Object.entries(state.v))]);
    const saved: SavedState = {
      format: 'carve-trainer-checkpoint',
      version: 1,
      step: this.done,
      samplerRng: this.options.samplerRng.getState(),
      dropoutRng: this.options.step.setup.dropoutRng?.getState(),
      data: this.options.data.getState(),
      optimizerStep: state.step,
    };
    writeJsonAtomic(path.join(folder, 'state.json'), saved);
    writeJsonAtomic(path.join(dir, 'latest.json'), { checkpoint: name, step: this.done });
    return folder;
  }

  /** Restores the latest checkpoint in `dir` (written by `save`) into this trainer. */
  load(dir: string): void {
    const pointer = path.join(dir, 'latest.json');
    if (!fs.existsSync(pointer)) throw new UserError(`${dir}: no checkpoint to resume from (latest.json is missing)`, 'no_checkpoint');
    const { checkpoint } = JSON.parse(fs.readFileSync(pointer, 'utf8')) as { checkpoint: string };
    const folder = path.join(dir, checkpoint);
    const saved = JSON.parse(fs.readFileSync(path.join(folder, 'state.json'), 'utf8')) as SavedState;
    if (saved.format !== 'carve-trainer-checkpoint' || saved.version !== 1) throw new UserError(`${folder}/state.json: not a carve trainer checkpoint`, 'bad_checkpoint');
    const trainable = openSafetensors(path.join(folder, 'trainable.safetensors'));
    const optimizer = openSafetensors(path.join(folder, 'optimizer.safetensors'));
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [name, data] of this.options.step.parameters) {
      if (!trainable.entry(name)) throw new UserError(`${folder}: the checkpoint has no '${name}'; it was written for another model or LoRA setup`, 'bad_checkpoint');
      data.set(trainable.read(name));
      m[name] = optimizer.read(`m.${name}`);
      v[name] = optimizer.read(`v.${name}`);
    }
    this.optimizer.setState({ step: saved.optimizerStep, m, v });
    this.options.samplerRng.setState(saved.samplerRng);
    if (saved.dropoutRng) this.options.step.setup.dropoutRng?.setState(saved.dropoutRng);
    this.options.data.setState(saved.data);
    this.done = saved.step;
  }
}

function globalNorm(grads: Map<string, Float32Array>): number {
  let sum = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  return Math.sqrt(sum);
}
