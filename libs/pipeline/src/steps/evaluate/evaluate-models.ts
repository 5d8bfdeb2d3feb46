/**
 * @module steps/evaluate/evaluate-models
 * The evaluation step: each exported model, loaded back from its files, measured on
 * held-out text and timed, as evaluation.json (each latency with the provider and hardware
 * it was measured on).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Device, resolveDevice, Runtime, UserError } from '@carve/engine';
import { countParams, fullSubNetwork, LanguageModel, loadCheckpoint, LossResult, writeJsonAtomic } from '@carve/model';
import { DeviceInfo, LatencySettings, LatencyStats, measureLatency } from '@carve/objectives';
import { MODELS_INDEX, ModelsIndex } from '../export/export-models';

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
}

/** What evaluation.json holds. */
export interface Evaluation {
  seqLen: number;
  models: ModelEvaluation[];
}

/**
 * Evaluates each model from its files on disk (not from memory, so what is measured is
 * what was shipped): held-out loss and perplexity with LanguageModel.loss, parameters with
 * countParams, and prefill/decode latency with measureLatency of the loaded network, whose
 * prefill graph is exactly the one model.onnx holds. Writes `folder`/evaluation.json
 * atomically and returns what it holds.
 */
export async function evaluateModels(options: EvaluateOptions, folder: string): Promise<Evaluation> {
  const evaluation: Evaluation = { seqLen: options.seqLen, models: [] };
  const device = options.device ?? 'cpu';
  const { executionProviders } = await resolveDevice(device);
  const latency: LatencySettings = { device, ...options.latency };
  for (const path of modelFolders(options.models)) {
    const model = loadCheckpoint(path);
    const runtime = new Runtime({ executionProviders });
    let result: LossResult;
    try {
      const lm = await LanguageModel.create(model, { runtime });
      result = await lm.loss(options.validation, options.seqLen, options.batch);
      await lm.dispose();
    } finally {
      await runtime.dispose();
    }
    const measured = await measureLatency(model, fullSubNetwork(model.config), latency);
    evaluation.models.push({ name: nodePath.basename(path), path, ...result, params: countParams(model.config), latency: { prefill: measured.prefill, decode: measured.decode, settings: measured.settings, device: measured.device } });
  }
  fs.mkdirSync(folder, { recursive: true });
  writeJsonAtomic(nodePath.join(folder, EVALUATION_FILE), evaluation);
  return evaluation;
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
  return index.models.map((m) => nodePath.join(models, m.name));
}
