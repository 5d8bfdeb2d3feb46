/**
 * @module onnx-export
 * A model as a standalone ONNX file, as it would be deployed: the graph of the whole
 * network with its weights stored inside as initializers, token ids in and logits out.
 * Sub-networks are exported by extracting them first (extractSubNetwork merges LoRA), so
 * the file holds only the weights the sub-network keeps and no slicing.
 */
import { F, serializeModel } from '@carve/engine';
import { writeAll, writeFileAtomic } from './checkpoint/atomic-write';
import { Checkpoint } from './checkpoint/checkpoint';
import { weightFeeds } from './init';
import { buildCheckpointGraph, ModelGraph } from './model-graph';

export interface OnnxExportOptions {
  /**
   * Export the key/value-cached graph for incremental decoding: extra inputs `past_length`
   * and `past.<l>.key` / `.value`, extra outputs `present.<l>.key` / `.value` (see
   * ModelGraphOptions.kvCache for their shapes and use). @default false
   */
  kvCache?: boolean;
  /**
   * Export the decoder in the layout of Hugging Face Optimum, which transformers.js loads
   * from `onnx/model.onnx`: inputs `input_ids`, `attention_mask`, `position_ids` and
   * `past_key_values.<i>.key` / `.value`, outputs `logits` [batch, sequence, vocab] and
   * `present.<i>.key` / `.value` (see ModelGraphOptions.hfDecoder). Overrides `kvCache`. @default false
   */
  hfDecoder?: boolean;
  /** Name of the ONNX graph. @default the model's name */
  name?: string;
}

/**
 * The graph of `model` (its own config, the whole network) with every parameter turned
 * from a graph input into an initializer holding the checkpoint's values (wrapped, not
 * copied; `params` then names those initializers). Input `tokens` [B, T], output `logits`
 * [B·T, V], and with `kvCache` the cache inputs and outputs; with `hfDecoder` the I/O of
 * that layout instead.
 */
export function onnxGraph(model: Checkpoint, options: OnnxExportOptions = {}): ModelGraph {
  const m = buildCheckpointGraph(model, { name: options.name, kvCache: options.kvCache, hfDecoder: options.hfDecoder });
  // weightFeeds checks every parameter has an array of the right size, naming each that has not.
  const feeds = weightFeeds(m, model.weights);
  const { graph } = m;
  for (const value of m.params.values()) graph.initializers.set(value, feeds[value.name]);
  const kept = graph.inputs.filter((v) => !m.params.has(v.name));
  graph.inputs.splice(0, graph.inputs.length, ...kept);
  const [B, T] = m.tokens.shape;
  const logits = options.hfDecoder ? F.reshape(m.logits, [B, T, model.config.vocabSize]) : m.logits;
  graph.output({ logits, ...Object.fromEntries(m.present) });
  return m;
}

/** The bytes of `model` as an ONNX file (see onnxGraph for what the file holds). */
export function modelToOnnx(model: Checkpoint, options: OnnxExportOptions = {}): Uint8Array {
  return serializeModel(onnxGraph(model, options).graph);
}

/** Writes ONNX bytes to `path` atomically: a temporary file in the same folder, then a rename. */
export function saveOnnx(path: string, bytes: Uint8Array): void {
  writeFileAtomic(path, (fd) => writeAll(fd, bytes));
}
