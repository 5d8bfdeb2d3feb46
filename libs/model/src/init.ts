/**
 * @module init
 * Fresh weights for training from scratch, and the feeds that hand weights to a graph.
 */
import { Rng, Tensor } from '@carve/engine';
import { ModelConfig } from './config';
import { HalfValues, WeightValues } from './checkpoint/checkpoint';
import type { ModelGraph } from './model-graph';
import { paramSpecs } from './params';

/**
 * GPT-2-style initialization: normal(0, std) for embeddings and linear weights, ones for
 * norm weights, zeros for biases; the output projections of each block (attention output
 * and MLP down/proj) are scaled by 1/√(2·layers), as GPT-2 does, so the residual stream
 * does not grow with depth.
 */
export function initWeights(c: ModelConfig, rng: Rng, std = 0.02): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  const residualStd = std / Math.sqrt(2 * c.nLayer);
  for (const spec of paramSpecs(c)) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    if (spec.init === 'ones') data.fill(1);
    else if (spec.init === 'normal') {
      const sd = /\.(o|proj|down)\.weight$/.test(spec.name) ? residualStd : std;
      for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, sd);
    }
    weights.set(spec.name, data);
  }
  return weights;
}

/**
 * The feeds for a model graph's parameter and adapter inputs, wrapping the given arrays
 * (no copies; a float64 graph gets float64 copies, and 16-bit weights go in as float16
 * where the graph takes them so: see buildCheckpointGraph). Throws naming every input that has no
 * array, the wrong size or the wrong precision.
 */
export function weightFeeds(
  graph: Pick<ModelGraph, 'params' | 'lora'>,
  weights: ReadonlyMap<string, WeightValues>,
  adapters: ReadonlyMap<string, Float32Array> = new Map(),
): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  const problems: string[] = [];
  for (const [source, inputs] of [
    [weights, graph.params],
    [adapters, graph.lora],
  ] as const) {
    for (const [name, value] of inputs) {
      const shape = value.shape as number[];
      const data = source.get(name);
      const size = shape.reduce((a, b) => a * b, 1);
      if (!data) problems.push(`no values for '${name}'`);
      else if (data.length !== size) problems.push(`'${name}' has ${data.length} values, the graph needs ${size} ([${shape.join(', ')}])`);
      else if ((value.dtype === 'float16') !== data instanceof HalfValues) problems.push(`'${name}' is ${data instanceof HalfValues ? '16' : '32'}-bit, the graph takes ${value.dtype}`);
      else if (data instanceof HalfValues) feeds[name] = new Tensor('float16', shape, data.bits);
      else feeds[name] = value.dtype === 'float64' ? new Tensor('float64', shape, Float64Array.from(data)) : new Tensor('float32', shape, data);
    }
  }
  if (problems.length) throw new Error(`weight feeds: ${problems.join('; ')}`);
  return feeds;
}

