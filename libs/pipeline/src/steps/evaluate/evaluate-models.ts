/**
 * @module steps/evaluate/evaluate-models
 * The evaluation step: each exported model, loaded back from its files, measured on
 * held-out text and downstream tasks and timed, as evaluation.json (each latency with the
 * provider and hardware it was measured on, each task score beside the full model's).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Device, resolveDevice, Runtime, UserError } from '@carve/engine';
import { DEFAULT_FEWSHOT_SEED, evaluateTask, MetricName, ModelScorer, PromptSettings, TaskOrGroup, TaskResult } from '@carve/evaluation';
import { Checkpoint, countParams, fullSubNetwork, LanguageModel, loadCheckpoint, loadTokenizer, LossResult, writeJsonAtomic } from '@carve/model';
import { DeviceInfo, LatencySettings, LatencyStats, measureLatency } from '@carve/objectives';
import { MEMBER_NAME, MODELS_INDEX, ModelsIndex } from '../export/export-models';

export const EVALUATION_FILE = 'evaluation.json';

export interface EvaluateOptions {
  /** A models/ folder written by exportModels (its index.json names the models), or model folders. */
  models: string | readonly string[];
  /** Held-out token ids, cut into windows of `seqLen` predictions (a final partial window is dropped). */
  validation: readonly number[];
  seqLen: number;
  /** Windows per loss run. @default 8 */
  batch?: number;
  /** How latency is measured (see measureLatency). @default its defaults, on `device` */
  latency?: LatencySettings;
  /** Where the models run, for the loss and (unless `latency.device` says otherwise) the latency. @default 'cpu' */
  device?: Device;
  /** Downstream tasks to score each model on. @default none */
  tasks?: TaskEvaluationOptions;
}

export interface TaskEvaluationOptions {
  tasks: readonly TaskOrGroup[];
  settings?: Pick<PromptSettings, 'limit' | 'shots' | 'seed'>;
  /** Start contexts with BOS. @default when the tokenizer has one */
  bos?: boolean;
  /** The tokenizer of models whose folder holds no tokenizer.json. */
  tokenizer?: string;
  /** The model the exported ones were cut from, scored as the 100% of `ofFull`. */
  full?: { checkpoint: string; tokenizer: string };
}

/** A model's score on one task: its primary metric. */
export interface TaskScore {
  version: string;
  metric: MetricName;
  value: number;
  stderr: number;
  documents: number;
  /** `value` as a fraction of the full model's (for perplexity, the full model's over this one's, so 1 is as good). */
  ofFull?: number;
}

/** One model in evaluation.json. */
export interface ModelEvaluation {
  name: string;
  /** The folder it was loaded from. */
  path: string;
  /** Mean next-token cross-entropy in nats, perplexity its exponential, over `tokens` predictions. */
  loss: number;
  perplexity: number;
  tokens: number;
  params: number;
  latency: { prefill: LatencyStats; decode: LatencyStats; settings: Required<LatencySettings>; device: DeviceInfo };
  /** By task name, when tasks were evaluated. */
  tasks?: Record<string, TaskScore>;
}

/** What evaluation.json holds. */
export interface Evaluation {
  seqLen: number;
  models: ModelEvaluation[];
  /** The task settings, and the full model's complete results (prompts, splits, files, subtasks). */
  tasks?: { settings: Record<string, unknown>; full?: { path: string; scores: Record<string, TaskScore>; results: TaskResult[] } };
}

/**
 * Evaluates each model from its files on disk (not from memory, so what is measured is
 * what was shipped): held-out loss and perplexity with LanguageModel.loss, parameters with
 * countParams, and prefill/decode latency with measureLatency of the loaded network, whose
 * prefill computes what onnx/model.onnx computes (the same blocks; the file adds Optimum's
 * cache inputs and outputs). Writes `folder`/evaluation.json
 * atomically and returns what it holds.
 */
export async function evaluateModels(options: EvaluateOptions, folder: string): Promise<Evaluation> {
  const evaluation: Evaluation = { seqLen: options.seqLen, models: [] };
  const tasks = options.tasks;
  let full: Record<string, TaskScore> | undefined;
  if (tasks?.full) {
    const results = await taskResults(loadCheckpoint(tasks.full.checkpoint), tasks.full.tokenizer, tasks, options.device);
    full = scoresOf(results);
    evaluation.tasks = { settings: taskSettings(tasks), full: { path: tasks.full.checkpoint, scores: full, results } };
  } else if (tasks) {
    evaluation.tasks = { settings: taskSettings(tasks) };
  }
  for (const path of modelFolders(options.models)) {
    const measured = await evaluateCheckpoint(loadCheckpoint(path), { ...options, tokenizer: tasks && ownTokenizer(path, tasks), fullScores: full });
    evaluation.models.push({ name: nodePath.basename(path), path, ...measured });
  }
  fs.mkdirSync(folder, { recursive: true });
  writeJsonAtomic(nodePath.join(folder, EVALUATION_FILE), evaluation);
  return evaluation;
}

/** How evaluateCheckpoint measures a model held in memory. */
export interface CheckpointEvaluationOptions extends Omit<EvaluateOptions, 'models'> {
  /** The tokenizer the tasks are scored with; required with `tasks`. */
  tokenizer?: string;
  /** The full model's task scores, for each score's `ofFull`. */
  fullScores?: Record<string, TaskScore>;
}

/**
 * One model's held-out loss, parameters, latency and (with `tasks`) task scores, measured
 * exactly as evaluateModels measures exported models: for models that live only in memory,
 * such as pruning baselines whose layers differ in width and so have no Hugging Face folder.
 */
export async function evaluateCheckpoint(model: Checkpoint, options: CheckpointEvaluationOptions): Promise<Omit<ModelEvaluation, 'name' | 'path'>> {
  const device = options.device ?? 'cpu';
  const runtime = new Runtime({ executionProviders: (await resolveDevice(device)).executionProviders });
  let result: LossResult;
  let scores: Record<string, TaskScore> | undefined;
  try {
    const lm = await LanguageModel.create(model, { runtime });
    result = await lm.loss(options.validation, options.seqLen, options.batch);
    await lm.dispose();
    if (options.tasks) {
      if (!options.tokenizer) throw new UserError(`model '${model.config.name}': tasks to score and no tokenizer to score them with`, 'invalid_options');
      scores = withOfFull(scoresOf(await scoreTasks(model, options.tokenizer, options.tasks, runtime)), options.fullScores);
    }
  } finally {
    await runtime.dispose();
  }
  const measured = await measureLatency(model, fullSubNetwork(model.config), { device, ...options.latency });
  return {
    ...result,
    params: countParams(model.config),
    latency: { prefill: measured.prefill, decode: measured.decode, settings: measured.settings, device: measured.device },
    ...(scores ? { tasks: scores } : {}),
  };
}

/** Every task's result for `model` on `device`, in a runtime of its own. */
export async function taskResults(model: Checkpoint, tokenizerPath: string, tasks: TaskEvaluationOptions, device: Device = 'cpu'): Promise<TaskResult[]> {
  const runtime = new Runtime({ executionProviders: (await resolveDevice(device)).executionProviders });
  try {
    return await scoreTasks(model, tokenizerPath, tasks, runtime);
  } finally {
    await runtime.dispose();
  }
}

/** Every task's result for `model`; the tokenizer is loaded checked against its vocabulary. */
async function scoreTasks(model: Checkpoint, tokenizerPath: string, tasks: TaskEvaluationOptions, runtime: Runtime): Promise<TaskResult[]> {
  const tokenizer = loadTokenizer(tokenizerPath, { vocabSize: model.config.vocabSize });
  const lm = await LanguageModel.create(model, { runtime });
  try {
    const scorer = new ModelScorer(lm, tokenizer, { bos: tasks.bos, tokenizerName: tokenizerPath });
    const results: TaskResult[] = [];
    for (const task of tasks.tasks) results.push(await evaluateTask(task, scorer, tasks.settings ?? {}));
    return results;
  } finally {
    await lm.dispose();
  }
}

/** An exported model's own tokenizer.json, which is what ships with it; else the given one. */
function ownTokenizer(path: string, tasks: TaskEvaluationOptions): string {
  const own = nodePath.join(path, 'tokenizer.json');
  if (fs.existsSync(own)) return own;
  if (!tasks.tokenizer) throw new UserError(`${path}: no tokenizer.json to score tasks with, and no tokenizer given`, 'not_found');
  return tasks.tokenizer;
}

/** Each task's primary metric. */
export function scoresOf(results: readonly TaskResult[]): Record<string, TaskScore> {
  return Object.fromEntries(
    results.map((r) => {
      const m = r.metrics[r.primaryMetric]!;
      return [r.task, { version: r.version, metric: r.primaryMetric, value: m.value, stderr: m.stderr, documents: r.documents }];
    }),
  );
}

function withOfFull(scores: Record<string, TaskScore>, full: Record<string, TaskScore> | undefined): Record<string, TaskScore> {
  if (!full) return scores;
  for (const [name, score] of Object.entries(scores)) {
    const reference = full[name]?.value;
    if (reference) score.ofFull = score.metric === 'perplexity' ? reference / score.value : score.value / reference;
  }
  return scores;
}

function taskSettings(tasks: TaskEvaluationOptions): Record<string, unknown> {
  return { limit: tasks.settings?.limit ?? null, shots: tasks.settings?.shots ?? 'task default', seed: tasks.settings?.seed ?? DEFAULT_FEWSHOT_SEED, bos: tasks.bos ?? 'tokenizer default' };
}

/** The model folders: those given, or those a models/ folder's index.json names, in its order. */
function modelFolders(models: string | readonly string[]): string[] {
  if (typeof models !== 'string') return [...models];
  const indexPath = nodePath.join(models, MODELS_INDEX);
  let index: ModelsIndex;
  try {
    index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as ModelsIndex;
  } catch (e) {
    throw new UserError(`${indexPath}: cannot read the exported models' index (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'not_found');
  }
  // The index may have been read back from a catalog: a name that is a path would lead out of models/.
  const bad = index.models.map((m) => m.name).filter((name) => typeof name !== 'string' || !MEMBER_NAME.test(name));
  if (bad.length) throw new UserError(`${indexPath}: model names must be folder names in ${models} (letters, digits, '_', '.' and '-'), not ${bad.map((n) => JSON.stringify(n)).join(', ')}`, 'invalid_index');
  return index.models.map((m) => nodePath.join(models, m.name));
}
