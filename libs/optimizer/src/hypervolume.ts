/**
 * @module hypervolume
 * The hypervolume a set of points (to minimize) dominates up to a reference point, which
 * must be fixed before a search so that runs compare. Exact for 2 and 3 objectives (sweeps),
 * and for more by a seeded Monte Carlo estimate with its standard error.
 */
import { Rng } from '@carve/engine';
import { paretoFront } from './pareto';

function inside(points: readonly (readonly number[])[], reference: readonly number[]): number[][] {
  for (const p of points) {
    if (p.length !== reference.length) throw new Error(`a point has ${p.length} objectives, the reference point ${reference.length}`);
  }
  // Points not strictly better than the reference in every objective add nothing.
  const kept = points.filter((p) => p.every((v, i) => v < reference[i]));
  return paretoFront(kept).map((i) => [...kept[i]]);
}

/** Exact hypervolume for 2 objectives: a sweep over the front sorted by the first. */
function hv2(points: number[][], r: readonly number[]): number {
  points.sort((a, b) => a[0] - b[0]);
  let volume = 0;
  let y = r[1];
  for (const [x, py] of points) {
    if (py < y) {
      volume += (r[0] - x) * (y - py);
      y = py;
    }
  }
  return volume;
}

/** Exact hypervolume for 3 objectives: slices along the third, each a 2-D hypervolume. */
function hv3(points: number[][], r: readonly number[]): number {
  points.sort((a, b) => a[2] - b[2]);
  let volume = 0;
  for (let i = 0; i < points.length; i++) {
    const top = i + 1 < points.length ? points[i + 1][2] : r[2];
    if (top <= points[i][2]) continue;
    volume += hv2(points.slice(0, i + 1).map((p) => [p[0], p[1]]), r) * (top - points[i][2]);
  }
  return volume;
}

/** Exact hypervolume of `points` up to `reference` for 2 or 3 objectives (1 is a length). */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const front = inside(points, reference);
  if (front.length === 0) return 0;
  if (reference.length === 1) return reference[0] - Math.min(...front.map((p) => p[0]));
  if (reference.length === 2) return hv2(front, reference);
  if (reference.length === 3) return hv3(front, reference);
  throw new Error(`exact hypervolume is implemented for 1 to 3 objectives, got ${reference.length}; use hypervolumeEstimate`);
}

/**
 * Monte Carlo hypervolume for any number of objectives: `samples` uniform points in the
 * box between the front's ideal point and the reference; returns the estimate and its
 * standard error (so the error is stated, not guessed).
 */
export function hypervolumeEstimate(
  points: readonly (readonly number[])[],
  reference: readonly number[],
  samples: number,
  rng: Rng,
): { volume: number; standardError: number } {
  const front = inside(points, reference);
  if (front.length === 0) return { volume: 0, standardError: 0 };
  const ideal = reference.map((_, i) => Math.min(...front.map((p) => p[i])));
  const box = reference.reduce((v, r, i) => v * (r - ideal[i]), 1);
  let hits = 0;
  const x = new Array<number>(reference.length);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(ideal[i], reference[i]);
    if (front.some((p) => p.every((v, i) => v <= x[i]))) hits++;
  }
  const p = hits / samples;
  return { volume: box * p, standardError: box * Math.sqrt((p * (1 - p)) / samples) };
}
