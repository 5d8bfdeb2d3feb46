/**
 * @module svg/scale
 * Axis domains, "nice" tick steps (1, 2 or 5 times a power of ten) and linear scales.
 */

/** A domain with a positive width: a single value (or none) is widened around itself. */
export function widen(lo: number, hi: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi > lo) return [lo, hi];
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - d, lo + d];
}

/** The nice step that gives about `count` intervals over [lo, hi] (lo < hi). */
export function tickStep(lo: number, hi: number, count = 5): number {
  const rough = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const m = rough / power;
  // Thresholds at the geometric means (√2, √10, √50), as d3 does: the nearest step in ratio.
  return power * (m >= Math.SQRT2 * 5 ? 10 : m >= Math.sqrt(10) ? 5 : m >= Math.SQRT2 ? 2 : 1);
}

/** The multiples of `step` within [lo, hi], rounded so that 0.1 + 0.2 prints as 0.3. */
export function ticks(lo: number, hi: number, step: number): number[] {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(Math.min(decimals, 20))));
  return out;
}

/** An axis: its domain and ticks. */
export interface Axis {
  domain: [number, number];
  ticks: number[];
  step: number;
}

/**
 * The axis for some values: their range widened when empty, padded by `pad` of its width
 * on both sides (so points do not sit on the frame), then extended to whole steps when
 * `nice` (bar heights from zero want that; data ranges do not). `minStep` keeps counts on
 * whole numbers.
 */
export function axisFor(values: readonly number[], options: { pad?: number; nice?: boolean; zero?: boolean; count?: number; minStep?: number } = {}): Axis {
  // A loop, not Math.min(...values): a long training run has more steps than a call has arguments.
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo > hi) [lo, hi] = [0, 1];
  if (options.zero) [lo, hi] = [Math.min(0, lo), Math.max(0, hi)];
  [lo, hi] = widen(lo, hi);
  const pad = (hi - lo) * (options.pad ?? 0);
  [lo, hi] = [options.zero && lo === 0 ? 0 : lo - pad, hi + pad];
  const step = Math.max(tickStep(lo, hi, options.count), options.minStep ?? 0);
  if (options.nice) [lo, hi] = [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
  return { domain: [lo, hi], ticks: ticks(lo, hi, step), step };
}

/** The linear map from `domain` onto `range` (either may run backwards). */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}
