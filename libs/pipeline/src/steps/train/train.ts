/**
 * @module steps/train/train
 * Super-network training of a checkpoint (LoRA adapters or every weight) with a strategy, a
 * sampler and a search space from the registry, in one run folder (run.json, metrics.jsonl,
 * checkpoints/, adapters.safetensors) that a later call continues exactly from its latest
 * checkpoint. The one implementation behind `carve train` and the pipeline's training stage.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Device, resolveDevice, Rng, Runtime, Tensor } from '@carve/engine';
import { countParams, float32Weights, initLora, LoraConfig } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { PlannedNetwork, StepMetrics, StepSetup, SuperNetworkStep, SuperNetworkTrainer } from '@carve/trainer';
import { loadRunData } from './data';
import { TrainError } from './errors';
import { createEvaluator, ValidationLoss } from './evaluate';
import { chooseMicroBatch, MicroBatchChoice, overBudget, RssSampler } from './memory';
import { loadModelAndSpace, ModelAndSpace } from './model-space';
import { createRunNetworks } from './networks';
import { stream, STREAMS } from './random';
import { trainRunRecord, writeTrained } from './record';
import { ADAPTERS, appendMetrics, CHECKPOINTS, createRunFolder, METRICS, PreviousTrainRun, RUN_JSON, truncateMetrics } from './run-folder';
import { plainLabel, resolveTrainDefaults, SettingLabel, TrainSettings } from './settings';

/** What to train, and how the run folder is made and named in messages. */
export interface TrainStepOptions {
  /** The settings, checked (`checkTrainSettings`, `checkTrainFiles`); the model-dependent defaults are filled in here. */
  settings: TrainSettings;
  /** Creates the sampler and strategy (and the space, without `modelAndSpace`) by name. */
  registry: PluginRegistry;
  /** The model and space, when the caller has them; otherwise loaded from the settings. */
  modelAndSpace?: ModelAndSpace;
  /** The run in the folder to continue (`readTrainRun`); without it, the folder is created. */
  previous?: PreviousTrainRun;
  /** Creates the new folder whole from what `write` puts in a temporary one; default `createRunFolder`. */
  createFolder?(folder: string, write: (temp: string) => void): Promise<unknown> | void;
  /** Versions of the caller's packages, recorded in run.json. */
  versions?: Record<string, string>;
  /** Names settings in messages (the CLI's flags); default: their names. */
  label?: SettingLabel;
  /**
   * Where the training runs (see resolveDevice). Not a setting: like `threads` it changes how
   * fast a run goes, so a resumed run may move to another device. @default 'cpu'
   */
  device?: Device;
}

/** Callbacks as the run goes, and where to stop. */
export interface TrainHooks {
  /** After each optimizer step, with the mean loss over its networks. */
  onStep?(metrics: StepMetrics, loss: number): void;
  /** After each validation of the evaluated networks. */
  onEval?(step: number, validation: Record<string, ValidationLoss>): void;
  /** Once the memory budget's micro-batch is chosen (with `memoryBudgetMb` only). */
  onMemory?(choice: MicroBatchChoice): void;
  /** Stop (with a checkpoint) once this many steps are done; a later call with `previous` continues. */
  stopAfter?: number;
}

/** Where a run stands when the call returns. */
export interface TrainStepResult {
  folder: string;
  /** Steps done, of `of`. */
  steps: number;
  of: number;
  complete: boolean;
  /** The mean loss of the last step this call ran. */
  trainLoss?: number;
  /** The latest validation this call ran, by network (largest, medium, smallest). */
  validation?: Record<string, ValidationLoss>;
  /** The trained tensors, once the run is complete. */
  adapters?: string;
}

/**
 * Models from this size train without ONNX Runtime's memory arena. An arena keeps its
 * session's peak for the session's life, and training keeps a session for every network it
 * steps (the sandwich's four, and each sub-network the sampler draws): at GPT-2 small's
 * shape a sandwich step peaked at 8.4 GB with arenas and 2.2 GB without, at SmolLM2-360M's
 * at 15.1 GB and 4.9 GB, for 17–28% less speed (docs/benchmarks.md). Below it the arena's
 * speed is worth its few hundred MB.
 */
const ARENA_MAX_PARAMS = 20_000_000;

/**
 * Trains in `folder`: creates it (or continues `options.previous` from its latest checkpoint),
 * appends to metrics.jsonl each step and validation, checkpoints every `checkpointEvery` steps
 * and at the end, and writes the trained tensors after the last step. A problem with the
 * model, tokenizer or data is a TrainError thrown before anything is written.
 */
export async function trainSuperNetwork(options: TrainStepOptions, folder: string, hooks: TrainHooks = {}): Promise<TrainStepResult> {
  const { registry, previous } = options;
  const label = options.label ?? plainLabel;
  const loaded = options.modelAndSpace ?? loadModelAndSpace(options.settings, registry, label);
  const { space, layerOrderFrom } = loaded;
  const config = loaded.model.config;
  const s = resolveTrainDefaults(options.settings, config.blockSize);
  // Training every weight updates them in place, in float32; LoRA keeps a 16-bit base as it is.
  const model = s.full ? { config, weights: float32Weights(loaded.model.weights) } : loaded.model;
  const { data, loader } = loadRunData(s, config, label, previous);
  const { sampler, samplerRng, strategy, evaluated } = await createRunNetworks(s, model, space, registry);
  const loraConfig: LoraConfig | undefined = s.full ? undefined : { rank: s.loraRank, alpha: s.loraAlpha, dropout: s.loraDropout, targets: s.loraTargets };
  const lora = loraConfig && { config: loraConfig, adapters: initLora(config, loraConfig, stream(s.seed, STREAMS.lora)) };

  const { executionProviders } = await resolveDevice(options.device ?? 'cpu');
  const runtime = new Runtime({ intraOpThreads: s.threads, executionProviders, memoryArena: countParams(config) < ARENA_MAX_PARAMS });
  const ignoreIndex = data.record.ignoreIndex;
  const setup = { config, weights: model.weights, lora, trainable: s.full ? ('all' as const) : ('lora' as const), runtime, seqLen: s.seqLen, ignoreIndex };
  const rss = s.memoryBudgetMb === undefined ? undefined : new RssSampler();
  const memory = rss && (await budgetMicroBatch(s.memoryBudgetMb!, s.batchSize, setup, rss, label, hooks));
  const microBatch = memory?.microBatch;
  const step = new SuperNetworkStep({ ...setup, microBatch, dropoutRng: stream(s.seed, STREAMS.dropout) });
  let trainLoss: number | undefined;
  let overBudgetError: TrainError | undefined;
  const trainer = new SuperNetworkTrainer({
    step, strategy, sampler, samplerRng, data: loader, batchSize: s.batchSize, accumulation: s.accumulation, steps: s.steps, warmupSteps: s.warmup,
    lr: s.lr, minLr: s.minLr, optimizer: { weightDecay: s.weightDecay }, clip: s.clip > 0 ? s.clip : undefined,
    onStep: (m) => {
      if (rss) {
        // The cap: a step that passed the budget stops the run, its last checkpoint kept.
        const over = overBudget(rss.peakMb(), s.memoryBudgetMb!, m.step, { budget: label('memoryBudgetMb'), batchSize: label('batchSize'), seqLen: label('seqLen'), resume: label('resume') });
        if (over) throw (overBudgetError = new TrainError(over));
        rss.reset();
      }
      trainLoss = m.networks.reduce((a, n) => a + n.loss, 0) / m.networks.length;
      appendMetrics(folder, { type: 'train', step: m.step, lr: m.lr, loss: trainLoss, gradNorm: m.gradNorm, networks: m.networks });
      hooks.onStep?.(m, trainLoss);
    },
  });
  // Validation sums losses over tokens, so the micro-batch serves it as well, within the budget.
  const evaluator = createEvaluator({ model, lora, networks: evaluated, data: loader, batchSize: microBatch ?? s.batchSize, ignoreIndex, runtime });
  rss?.reset();

  const checkpoints = nodePath.join(folder, CHECKPOINTS);
  try {
    // The run folder: created whole with run.json, or reopened at its latest checkpoint.
    if (previous) {
      trainer.load(checkpoints);
      truncateMetrics(folder, trainer.stepsDone);
    } else {
      const trainableParameters = [...step.parameters.values()].reduce((n, a) => n + a.length, 0);
      const record = trainRunRecord({ versions: options.versions ?? {}, settings: s, config, trainableParameters, data: data.record, space, layerOrderFrom, evaluated, memory });
      await (options.createFolder ?? createRunFolder)(folder, (temp) => {
        fs.writeFileSync(nodePath.join(temp, RUN_JSON), `${JSON.stringify(record, null, 2)}\n`);
        fs.writeFileSync(nodePath.join(temp, METRICS), '');
        fs.mkdirSync(nodePath.join(temp, CHECKPOINTS));
      });
    }

    // Train, evaluating and checkpointing on schedule; the final step does both.
    const end = Math.min(s.steps, hooks.stopAfter ?? s.steps);
    let validation: Record<string, ValidationLoss> | undefined;
    const hasValidation = data.validation.rows > 0;
    while (trainer.stepsDone < end) {
      const done = trainer.stepsDone;
      try {
        await trainer.run(Math.min(end, nextMultiple(done, s.evalEvery), nextMultiple(done, s.checkpointEvery)));
      } catch (e) {
        // The step that passed the budget is complete: keep it, so that a resumed run goes on from there.
        if (e === overBudgetError) trainer.save(checkpoints);
        throw e;
      }
      const now = trainer.stepsDone;
      if (hasValidation && (now % s.evalEvery === 0 || now === s.steps)) {
        validation = await evaluator.evaluate();
        appendMetrics(folder, { type: 'eval', step: now, validation });
        hooks.onEval?.(now, validation);
      }
      if (now === s.steps) writeTrained(folder, config, step.parameters, loraConfig);
      if (now % s.checkpointEvery === 0 || now === end) trainer.save(checkpoints);
    }
    const complete = trainer.stepsDone === s.steps;
    return { folder, steps: trainer.stepsDone, of: s.steps, complete, trainLoss, validation, ...(complete ? { adapters: nodePath.join(folder, ADAPTERS) } : {}) };
  } finally {
    await evaluator.dispose();
    await step.dispose();
    await runtime.dispose();
    await rss?.stop();
  }
}

/**
 * The micro-batch `budgetMb` allows: the step is run (in a throwaway copy, so no state or
 * random stream of the run moves) on one row and on two of a plan that holds at least what
 * any strategy's plan holds (the full network as teacher and as its own distilled student),
 * and the largest divisor of the batch size predicted to fit is taken (see chooseMicroBatch).
 */
async function budgetMicroBatch(budgetMb: number, batchSize: number, setup: StepSetup, rss: RssSampler, label: SettingLabel, hooks: TrainHooks): Promise<MicroBatchChoice> {
  const probe = new SuperNetworkStep({ ...setup, dropoutRng: new Rng(0) });
  const plan: PlannedNetwork[] = [{ ceWeight: 1 }, { ceWeight: 0.5, distillation: { weight: 1, temperature: 1, kind: 'forward-kl' } }];
  const tokens = (rows: number) => Tensor.zeros('int64', [rows, setup.seqLen]);
  let choice: MicroBatchChoice | undefined;
  try {
    choice = await chooseMicroBatch(budgetMb, batchSize, (rows) => rss.during(() => probe.accumulate(plan, { tokens: tokens(rows), targets: tokens(rows) }, new Map(), 0)));
  } finally {
    await probe.dispose();
  }
  if (!choice) {
    const oneRow = Math.round(rss.peakMb());
    throw new TrainError(`${label('memoryBudgetMb')}: ${budgetMb} MB is less than a step on one row of ${setup.seqLen} tokens takes (about ${oneRow} MB, the model included); raise it, or shorten ${label('seqLen')}`);
  }
  hooks.onMemory?.(choice);
  return choice;
}

/** The next step after `done` that is a multiple of `every`. */
function nextMultiple(done: number, every: number): number {
  return (Math.floor(done / every) + 1) * every;
}
