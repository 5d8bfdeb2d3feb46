/**
 * @module half
 * IEEE 754 binary16 ("half", ONNX float16) and bfloat16 conversions. Half tensors are kept
 * as their 16-bit patterns in a Uint16Array, as ONNX Runtime takes them; float16 is a
 * storage type in the engine (weights cast to float32 in the graph), not one ops compute in.
 */

/** One half's bits to a number: exact. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

let halfTable: Float32Array | undefined;

/** Half bits to float32 values: exact. */
export function fromHalf(bits: Uint16Array): Float32Array {
  // Every half's value in a 256 KiB table: a lookup per element instead of a pow.
  const table = (halfTable ??= Float32Array.from({ length: 65536 }, (_, h) => halfToFloat(h)));
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/**
 * Float32 values to half bits, rounding to nearest even as IEEE (and numpy's astype)
 * does: magnitudes past 65504 become ±Infinity, those below 2^-25 become ±0, NaN stays NaN.
 */
export function toHalf(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    out[i] = float32BitsToHalf(bits[0]);
  }
  return out;
}

function float32BitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to Inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit bit, round to nearest even.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (to Inf at the top).
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** bfloat16 bits to float32 values: exact (bfloat16 is the top half of a float32). */
export function fromBfloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i] << 16;
  return out;
}

/** How bfloat16 values fare as halves: how many became infinite and the largest absolute change. */
export interface HalfConversion {
  bits: Uint16Array;
  overflowed: number;
  maxAbsError: number;
}

/**
 * bfloat16 bits to half bits, rounding to nearest even. bfloat16's 8 significant bits fit
 * half's 11, so every value in half's normal range (2^-14 ≤ |x| ≤ 65504) converts exactly;
 * smaller ones lose bits to half's subnormal spacing of 2^-24 (an absolute error of at most
 * 2^-25), larger ones overflow, and both are counted so a caller can refuse the conversion.
 */
export function bfloat16ToHalf(bits: Uint16Array): HalfConversion {
  const out = new Uint16Array(bits.length);
  let overflowed = 0;
  let maxAbsError = 0;
  const f = new Float32Array(1);
  const word = new Uint32Array(f.buffer);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    const exponent = (b >> 7) & 0xff;
    if (exponent >= 127 - 14 && exponent <= 127 + 15) {
      // Half's normal range: rebias the exponent, widen the 7-bit mantissa to 10 bits; exact.
      out[i] = (b & 0x8000) | ((exponent - 127 + 15) << 10) | ((b & 0x7f) << 3);
      continue;
    }
    word[0] = b << 16;
    const h = float32BitsToHalf(word[0]);
    out[i] = h;
    if (exponent === 0xff) continue; // Inf and NaN stay what they are
    if ((h & 0x7c00) === 0x7c00) overflowed++;
    else maxAbsError = Math.max(maxAbsError, Math.abs(f[0] - halfToFloat(h)));
  }
  return { bits: out, overflowed, maxAbsError };
}
