/**
 * @module checkpoint/rope-layout
 * Converts a model with interleaved RoPE (llama2.c: pairs (2i, 2i+1)) into the same
 * function under rotate-half RoPE (Hugging Face: pairs (i, i + r/2)). Both rotate pair i
 * by position × θ^(−2i/r), so moving feature 2i of every query and key head to slot i and
 * feature 2i+1 to slot i + r/2 makes rotate-half see exactly the pairs interleaved saw.
 * Scores are dot products of q and k within a head, which permuting both alike leaves
 * unchanged, and v and the output projection are untouched.
 */
import { rotaryDims } from '../config';
import { paramSpecs } from '../params';
import { Checkpoint, emptyLike, fromRaw, rawOf } from './checkpoint';

/**
 * The new order of one head's features: slot j takes old feature order[j]. For r rotated
 * dimensions of a head of size hs: order[i] = 2i and order[i + r/2] = 2i + 1 for i < r/2,
 * and the unrotated tail (partial RoPE) stays: order[j] = j for j ≥ r.
 */
export function interleavedToHalfOrder(headSize: number, rotary: number): number[] {
  const order = Array.from({ length: headSize }, (_, j) => j);
  for (let i = 0; i < rotary / 2; i++) {
    order[i] = 2 * i;
    order[i + rotary / 2] = 2 * i + 1;
  }
  return order;
}

/** Reorders the last axis of `data` (rows of `width`) within each block of `order.length`. */
function permuteLastAxis<A extends Float32Array | Uint16Array>(data: A, width: number, order: readonly number[]): A {
  const out = emptyLike(data, data.length);
  const hs = order.length;
  for (let row = 0; row < data.length; row += width) {
    for (let head = 0; head < width; head += hs) {
      for (let j = 0; j < hs; j++) out[row + head + j] = data[row + head + order[j]];
    }
  }
  return out;
}

/**
 * The same model with rotate-half RoPE: q and k weights and biases get their output
 * features permuted within each head (see interleavedToHalfOrder) and the config says
 * 'half'. Returns `checkpoint` itself when there is nothing to convert. Other weights are
 * shared, not copied.
 */
export function toHalfRope(checkpoint: Checkpoint): Checkpoint {
  const c = checkpoint.config;
  if (c.position !== 'rope' || c.ropeLayout === 'half') return checkpoint;
  return permuteQueriesAndKeys(checkpoint, interleavedToHalfOrder(c.headSize, rotaryDims(c)), 'half');
}

/**
 * The same model with interleaved RoPE, as llama.cpp rotates: the inverse of toHalfRope.
 * Returns `checkpoint` itself when there is nothing to convert.
 */
export function toInterleavedRope(checkpoint: Checkpoint): Checkpoint {
  const c = checkpoint.config;
  if (c.position !== 'rope' || c.ropeLayout === 'interleaved') return checkpoint;
  const toHalf = interleavedToHalfOrder(c.headSize, rotaryDims(c));
  const inverse = new Array<number>(toHalf.length);
  toHalf.forEach((old, slot) => (inverse[old] = slot));
  return permuteQueriesAndKeys(checkpoint, inverse, 'interleaved');
}

function permuteQueriesAndKeys(checkpoint: Checkpoint, order: readonly number[], layout: 'half' | 'interleaved'): Checkpoint {
  const c = checkpoint.config;
  const weights = new Map(checkpoint.weights);
  for (const spec of paramSpecs(c)) {
    const data = weights.get(spec.name);
    if (!data || !/\.attn\.[qk]\.(weight|bias)$/.test(spec.name)) continue;
    // [in, out] weights and [out] biases both have the output features last.
    weights.set(spec.name, fromRaw(permuteLastAxis(rawOf(data), spec.shape[spec.shape.length - 1], order)));
  }
  return { config: { ...c, ropeLayout: layout }, weights };
}
