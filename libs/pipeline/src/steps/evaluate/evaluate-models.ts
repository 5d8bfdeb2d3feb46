/**
 * @module steps/evaluate/evaluate-models
 * The evaluation step: each exported model, loaded back from its files, measured on
 * held-out text and timed, as evaluation.json.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { UserError } from '@carve/engine';
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
  /** How latency is measured (see measureLatency). @default its defaults */
  latency?: LatencySettings;
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
  for (const path of modelFolders(options.models)) {
    const model = loadCheckpoint(path);
    const lm = await LanguageModel.create(model);
    let result: LossResult;
    try {
      result = await lm.loss(options.validation, options.seqLen, options.batch);
    } finally {
      await lm.dispose();
    }
    const { prefill, decode, settings, device } = await measureLatency(model, fullSubNetwork(model.config), options.latency);
    evaluation.models.push({ name: nodePath.basename(path), path, ...result, params: countParams(model.config), latency: { prefill, decode, settings, device } });
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
