/**
 * @module steps/importance/run
 * The importance step: score every head, neuron, channel and layer of a model on
 * calibration text, and write the scores, the orders they give and the permuted model (the
 * same function, most important units first) into one folder, whole or not at all.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Device, resolveDevice, Runtime, UserError } from '@carve/engine';
import { buildCalibrationSet, CalibrationRecord, ImportanceOrders, ImportanceScores, importanceOrders, LayerScoring, OrderScope, permuteModel, scoreImportance, Statistic } from '@carve/importance';
import { Checkpoint, configToHf, countParams, loadCheckpoint, loadTokenizer, saveHfCheckpoint, toHalfRope, Tokenizer } from '@carve/model';
import { compactJson, replaceFolderAtomically } from '../export/folder';
import { writeHfTokenizer } from '../export/hf-tokenizer';
import { packageVersions } from '../../versions';

/** Tokens per calibration sequence unless `seqLen` says otherwise (capped at the model's block size). */
export const DEFAULT_IMPORTANCE_SEQ_LEN = 256;

export interface ImportanceStepOptions {
  /** A Hugging Face folder or a llama2.c .bin file. */
  checkpoint: string;
  /** tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin. */
  tokenizer: string;
  /** Calibration text: UTF-8 files, or .jsonl with a "text" field. */
  data: readonly string[];
  /** Tokens per calibration sequence. @default DEFAULT_IMPORTANCE_SEQ_LEN, or the block size if smaller */
  seqLen?: number;
  samples: number;
  statistic: Statistic;
  layerScoring: LayerScoring;
  scope: OrderScope;
  /** Seed of the choice of calibration windows. */
  seed: number;
  batchSize: number;
  /** ONNX Runtime intra-op threads. */
  threads: number;
  /** Where the scoring runs (see resolveDevice). @default 'cpu' */
  device?: Device;
  /**
   * Package versions recorded in importance.json; the first names the tool that writes it,
   * and its version goes into the safetensors metadata. @default @carve/pipeline's and the libraries'
   */
  versions?: Record<string, string>;
  /** How messages name the seqLen and tokenizer options (a CLI passes its flags). @default their run spec paths */
  labels?: { seqLen?: string; tokenizer?: string };
}

export interface ImportanceHooks {
  /**
   * Called after each scoring batch; `extraPasses` loss passes (drop scoring's, one per
   * layer and one without any dropped) follow the last batch without progress of their own.
   */
  onProgress?: (done: number, total: number, extraPasses: number) => void;
  /**
   * Puts what `write(temp)` writes into `folder`, whole or not at all (a CLI passes its own,
   * which refuses an existing folder). @default replaceFolderAtomically
   */
  writeFolder?: (folder: string, write: (temp: string) => void) => Promise<void>;
}

/** What importance.json holds. */
export interface ImportanceFile {
  carve: Record<string, string>;
  model: { name: string; family: string; parameters: number; checkpoint: string };
  tokenizer: string;
  statistic: Statistic;
  layerScoring: LayerScoring;
  scope: OrderScope;
  calibration: CalibrationRecord;
  scores: Omit<ImportanceScores, 'statistic' | 'layerScoring'>;
  orders: ImportanceOrders;
}

export interface ImportanceResult {
  /** What importance.json holds. */
  record: ImportanceFile;
  /** Tokens per calibration sequence, as resolved. */
  seqLen: number;
}

/** A problem with the step's options that shows only once the model is loaded. */
export class ImportanceStepError extends UserError {
  override readonly name = 'ImportanceStepError';
  constructor(issues: readonly string[]) {
    super(issues.join('; '), 'invalid_argument', issues);
  }
}

/**
 * Runs the importance step: loads the model and tokenizer, checks them, builds the
 * calibration set, scores, orders and permutes, then writes `folder`/importance.json and
 * `folder`/model/ (a Hugging Face checkpoint with its tokenizer and the orders and
 * calibration in its safetensors metadata) in one atomic replacement of `folder`.
 */
export async function runImportanceStep(options: ImportanceStepOptions, folder: string, hooks: ImportanceHooks = {}): Promise<ImportanceResult> {
  const model = loadCheckpoint(options.checkpoint);
  const tokenizer = loadTokenizer(options.tokenizer, { vocabSize: model.config.vocabSize });
  const seqLen = checkModel(options, model, tokenizer);
  const { statistic, layerScoring, scope } = options;

  const calibration = buildCalibrationSet(tokenizer, options.data, { seqLen, samples: options.samples, seed: options.seed });
  const { executionProviders } = await resolveDevice(options.device ?? 'cpu');
  const runtime = new Runtime({ intraOpThreads: options.threads, executionProviders });
  let scores: ImportanceScores;
  try {
    const extraPasses = layerScoring === 'drop' ? model.config.nLayer + 1 : 0;
    const progress = hooks.onProgress;
    const onProgress = progress && ((done: number, total: number) => progress(done, total, extraPasses));
    scores = await scoreImportance(model, calibration, { statistic, layerScoring, batchSize: options.batchSize, runtime, onProgress });
  } finally {
    await runtime.dispose();
  }
  const orders = importanceOrders(model.config, scores, scope);
  const permuted = permuteModel(model, orders).model;

  const carve = options.versions ?? packageVersions(['@carve/pipeline', '@carve/importance', '@carve/model', '@carve/engine']);
  const record: ImportanceFile = {
    carve,
    model: { name: model.config.name, family: model.config.family, parameters: countParams(model.config), checkpoint: options.checkpoint },
    tokenizer: options.tokenizer,
    statistic,
    layerScoring,
    scope,
    calibration: calibration.record,
    scores: { heads: scores.heads, neurons: scores.neurons, channels: scores.channels, layers: scores.layers },
    orders,
  };
  const metadata = {
    'carve.version': Object.values(carve)[0] ?? 'unknown',
    'carve.importance': JSON.stringify({ statistic, layerScoring, scope }),
    'carve.orders': JSON.stringify(orders),
    'carve.calibration': JSON.stringify(calibration.record),
  };
  const writeFolder = hooks.writeFolder ?? replaceFolderAtomically;
  await writeFolder(folder, (temp) => {
    fs.writeFileSync(nodePath.join(temp, 'importance.json'), compactJson(record));
    const modelDir = nodePath.join(temp, 'model');
    saveHfCheckpoint(permuted, modelDir, { metadata });
    writeHfTokenizer(tokenizer, modelDir);
  });
  return { record, seqLen };
}

/** Checks what needs the model (context, vocabulary, Hugging Face layout); returns the sequence length. */
function checkModel(options: ImportanceStepOptions, model: Checkpoint, tokenizer: Tokenizer): number {
  const c = model.config;
  const issues: string[] = [];
  const seqLen = options.seqLen ?? Math.min(DEFAULT_IMPORTANCE_SEQ_LEN, c.blockSize);
  const label = { seqLen: 'importance.seqLen', tokenizer: 'model.tokenizer', ...options.labels };
  if (seqLen > c.blockSize) issues.push(`${label.seqLen} ${seqLen} exceeds the model's block size ${c.blockSize}`);
  if (tokenizer.vocabSize > c.vocabSize) issues.push(`${label.tokenizer} ${options.tokenizer}: ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${c.vocabSize}`);
  if (issues.length) throw new ImportanceStepError(issues);
  // saveHfCheckpoint converts RoPE to rotate-half, then writes config.json: check that now,
  // not after scoring (a CheckpointError naming what Hugging Face cannot express).
  configToHf(toHalfRope({ config: c, weights: new Map() }).config);
  return seqLen;
}
