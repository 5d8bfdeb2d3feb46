/**
 * @module rope
 * Rotary position embeddings in the graph. Angles are computed in the graph from the
 * positions (0..T−1, or given ones), so one graph serves every sequence length.
 */
import { Dim, F, Graph, Tensor, Value } from '@carve/engine';
import { RopeLayout } from './config';

export interface RopeTables {
  /** cos and sin of position × frequency, [T, rotary/2] (or [B, T, rotary/2] for positions per row). */
  cos: Value;
  sin: Value;
  /** Dimensions of each head that rotate (even). */
  rotary: number;
  layout: RopeLayout;
}

/** Frequencies θ^(−2i/rotary) for the pairs i < rotary/2, as llama2.c and Hugging Face compute them. */
export function ropeFrequencies(rotary: number, theta: number): Float32Array {
  return Float32Array.from({ length: rotary / 2 }, (_, i) => 1 / theta ** ((2 * i) / rotary));
}

/**
 * The cos and sin tables for positions 0..seq−1 (symbolic 'T' allowed), or, given an int64
 * [T] or [B, T] value, for those positions: a key/value-cached graph's tokens start after
 * the past, and a padded batch's rows each have their own.
 */
export function ropeTables(g: Graph, seq: Dim | Value, rotary: number, theta: number, layout: RopeLayout, dtype: 'float32' | 'float64' = 'float32'): RopeTables {
  const ids = seq instanceof Value ? seq : F.range(g, seq);
  const positions = F.unsqueeze(F.cast(ids, dtype), [ids.rank]); // [T, 1] or [B, T, 1]
  // The frequencies are float32, as llama2.c and Hugging Face compute them, in either dtype.
  const freqs = F.constant(g, Tensor.from(dtype, [1, rotary / 2], ropeFrequencies(rotary, theta))); // [1, r/2]
  const angles = F.mul(positions, freqs); // [T, r/2] or [B, T, r/2]
  return { cos: F.cos(angles), sin: F.sin(angles), rotary, layout };
}

/**
 * Rotates the first `rotary` dimensions of each head of x [B, T, ..., hs]; the rest pass
 * through (GPT-NeoX's partial rotary). Pairs are (2i, 2i+1) for 'interleaved' and
 * (i, i + rotary/2) for 'half'.
 */
export function applyRope(x: Value, t: RopeTables): Value {
  const hs = x.shape[x.rank - 1] as number;
  const half = t.rotary / 2;
  // cos and sin ([T, r/2] or [B, T, r/2]) broadcast over the head axes between T and the head dimension.
  const spread = (v: Value, extra: number[]) => F.reshape(v, [...v.shape.slice(0, -1), ...new Array<number>(x.rank - 3).fill(1), half, ...extra]);
  const [rot, pass] = t.rotary === hs ? [x, undefined] : F.split(x, [t.rotary, hs - t.rotary], -1);
  let rotated: Value;
  if (t.layout === 'half') {
    const [x1, x2] = F.split(rot, [half, half], -1);
    const cos = spread(t.cos, []);
    const sin = spread(t.sin, []);
    rotated = F.concat([F.sub(F.mul(x1, cos), F.mul(x2, sin)), F.add(F.mul(x2, cos), F.mul(x1, sin))], -1);
  } else {
    const pairs = F.reshape(rot, [...rot.shape.slice(0, -1), half, 2]);
    const [x0, x1] = F.split(pairs, [1, 1], -1);
    const cos = spread(t.cos, [1]);
    const sin = spread(t.sin, [1]);
    const out = F.concat([F.sub(F.mul(x0, cos), F.mul(x1, sin)), F.add(F.mul(x0, sin), F.mul(x1, cos))], -1);
    rotated = F.reshape(out, rot.shape);
  }
  return pass ? F.concat([rotated, pass], -1) : rotated;
}
