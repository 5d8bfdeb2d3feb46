/**
 * @module checkpoint/hf
 * Hugging Face checkpoint folders (config.json + model.safetensors, or shards with an
 * index) in and out, and `loadCheckpoint`, which picks the loader from the path.
 * Tokenizer files are not handled here.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { oneLine } from '@carve/errors';
import { Checkpoint, CheckpointError } from './checkpoint';
import { writeJsonAtomic } from './atomic-write';
import { configFromHf, configToHf, hfFamily } from './hf-config';
import { weightsFromHf, weightsToHf } from './hf-tensors';
import { loadLlama2c } from './llama2c';
import { toHalfRope } from './rope-layout';
import { openSafetensors, ReadOptions, TensorSource, writeSafetensors } from './safetensors';
import { openShardedSafetensors, SAFETENSORS_INDEX, writeShardedSafetensors } from './safetensors-sharded';

const CONFIG = 'config.json';
const SAFETENSORS = 'model.safetensors';

/**
 * Loads a checkpoint from `path`: a Hugging Face folder (see loadHfCheckpoint) or a
 * llama2.c `.bin` file (see loadLlama2c, float32 always).
 */
export function loadCheckpoint(path: string, options: ReadOptions = {}): Checkpoint {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new CheckpointError(`${path}: no such file or folder; pass a Hugging Face checkpoint folder (config.json and model.safetensors) or a llama2.c .bin file`, 'not_found', path);
  }
  if (stat.isDirectory()) return loadHfCheckpoint(path, options);
  if (path.endsWith('.bin')) return loadLlama2c(path);
  const hint = path.endsWith('.safetensors') ? 'pass the folder that holds it: its config.json is needed too' : 'pass a Hugging Face checkpoint folder or a llama2.c .bin file';
  throw new CheckpointError(`${path}: not a checkpoint this loader reads; ${hint}`, 'bad_format', path);
}

/** The folder's weights: model.safetensors if present (as transformers prefers it), else the sharded index. */
function openWeights(folder: string): TensorSource {
  const single = nodePath.join(folder, SAFETENSORS);
  if (fs.existsSync(single)) return openSafetensors(single);
  const index = nodePath.join(folder, SAFETENSORS_INDEX);
  if (fs.existsSync(index)) return openShardedSafetensors(index);
  const pickle = ['pytorch_model.bin', 'pytorch_model.bin.index.json'].find((f) => fs.existsSync(nodePath.join(folder, f)));
  const hint = pickle
    ? `it has ${pickle}, which is not read (PyTorch pickles can run code); convert it with transformers: model.save_pretrained(folder, safe_serialization=True)`
    : 'a Hugging Face checkpoint folder needs its weights next to config.json';
  throw new CheckpointError(`${folder}: no ${SAFETENSORS} or ${SAFETENSORS_INDEX}; ${hint}`, 'not_found', folder);
}

/**
 * Loads a Hugging Face checkpoint folder: config.json (model_type gpt2, gpt_neox, llama,
 * mistral or qwen2) and safetensors weights, single or sharded, F32, F16 or BF16. The
 * config is named after the folder; RoPE comes out as 'half', as Hugging Face computes it.
 * Tensors are read one at a time, and 16-bit ones stay 16-bit unless `options.dtype` is
 * 'float32' (see ReadOptions), so loading holds about the file's size.
 */
export function loadHfCheckpoint(folder: string, options: ReadOptions = {}): Checkpoint {
  if (!fs.existsSync(folder)) throw new CheckpointError(`${folder}: no such folder`, 'not_found', folder);
  const configPath = nodePath.join(folder, CONFIG);
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch {
    throw new CheckpointError(`${folder}: no ${CONFIG}; a Hugging Face checkpoint folder needs config.json next to its safetensors`, 'not_found', configPath);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${configPath}: not valid JSON (${oneLine((e as Error).message)})`, 'bad_format', configPath);
  }
  const config = configFromHf(json, nodePath.basename(nodePath.resolve(folder)), configPath);
  const weights = weightsFromHf(hfFamily(config.family), config, openWeights(folder), folder, options);
  return { config, weights };
}

export interface SaveHfOptions {
  /** Split the weights into shards of at most this many bytes, with an index. @default one model.safetensors */
  maxShardBytes?: number;
  /**
   * Extra string entries for every safetensors file's `__metadata__` (importance orders,
   * calibration records). `format: 'pt'`, which transformers needs, is always kept.
   * @default none
   */
  metadata?: Readonly<Record<string, string>>;
  /**
   * The tokenizer's BOS and EOS ids, written into config.json (`bos_token_id`,
   * `eos_token_id`) and generation_config.json, so that transformers stops generating at
   * EOS instead of the family's default ids (GPT-2's 50256 lies outside a small vocabulary).
   * @default none: config.json only, with the family's defaults
   */
  specialTokens?: { bos?: number; eos?: number };
  /**
   * Write the weights. Without them the folder holds the configs only, for exports whose
   * weights go in another format (GGUF) beside them. @default true
   */
  weights?: boolean;
}

const GENERATION_CONFIG = 'generation_config.json';

/**
 * Saves `checkpoint` as a Hugging Face folder (created if needed): model.safetensors (F32,
 * and F16 for weights kept in 16 bits) or shards with an index, then config.json (and generation_config.json with
 * `specialTokens`), each written atomically. Interleaved RoPE is
 * converted to rotate-half first (see toHalfRope), so transformers computes the same
 * logits. Everything is validated before anything is written. Removes a stale single file
 * or index of the other layout, which a loader would otherwise pick up.
 */
export function saveHfCheckpoint(checkpoint: Checkpoint, folder: string, options: SaveHfOptions = {}): void {
  const { config, weights } = toHalfRope(checkpoint);
  const ids = options.specialTokens && { bos_token_id: options.specialTokens.bos ?? null, eos_token_id: options.specialTokens.eos ?? null };
  const hfConfig = { ...configToHf(config), ...ids };
  const tensors = options.weights === false ? undefined : weightsToHf(hfFamily(config.family), config, weights);
  const metadata = { ...options.metadata, format: 'pt' };
  try {
    fs.mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw new CheckpointError(`${folder}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'not_found', folder);
  }
  if (tensors && options.maxShardBytes !== undefined) {
    writeShardedSafetensors(folder, tensors, options.maxShardBytes, metadata);
    fs.rmSync(nodePath.join(folder, SAFETENSORS), { force: true });
  } else if (tensors) {
    writeSafetensors(nodePath.join(folder, SAFETENSORS), tensors, metadata);
    fs.rmSync(nodePath.join(folder, SAFETENSORS_INDEX), { force: true });
  }
  writeJsonAtomic(nodePath.join(folder, CONFIG), hfConfig);
  if (ids) writeJsonAtomic(nodePath.join(folder, GENERATION_CONFIG), ids);
}
