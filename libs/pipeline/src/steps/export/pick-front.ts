/**
 * @module steps/export/pick-front
 * Which members of a Pareto front to export when there are more than wanted.
 */
import { SubNetwork } from '@carve/model';
import { ExportMember } from './export-models';

/** A member of the search's front: its sub-network, objective values and parameter count. */
export interface FrontPoint {
  subNetwork: SubNetwork;
  /** Objective values by name; the first key orders the front. */
  objectives: Record<string, number>;
  /** Parameters of the sub-network (in the member's name). */
  params: number;
}

/**
 * At most `max` members of `front`, spread along it: the front is ordered by its first
 * objective (ties by parameters), both extremes are always kept (just the first when `max`
 * is 1), and the rest are taken at evenly spaced ranks between them. Names are
 * `m<i>-<params>k`, i counting along that order, so they sort and stay distinct.
 */
export function pickFrontMembers(front: readonly FrontPoint[], max: number): ExportMember[] {
  if (!Number.isInteger(max) || max < 1) throw new Error(`pickFrontMembers: max must be a positive integer, got ${max}`);
  if (front.length === 0) return [];
  const key = Object.keys(front[0].objectives)[0];
  const value = (p: FrontPoint) => (key === undefined ? 0 : p.objectives[key]);
  const sorted = [...front].sort((a, b) => value(a) - value(b) || a.params - b.params);
  const n = sorted.length;
  // With n > max ≥ 2 the step (n − 1)/(max − 1) exceeds 1, so the rounded ranks are distinct.
  const ranks = n <= max ? sorted.map((_, i) => i) : max === 1 ? [0] : Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
  return ranks.map((rank, i) => {
    const p = sorted[rank];
    return { name: `m${i}-${kiloParams(p.params)}k`, subNetwork: p.subNetwork, objectives: p.objectives };
  });
}

/** Thousands, with one decimal below ten so small models get distinguishable names. */
export function kiloParams(params: number): string {
  const k = params / 1000;
  return k < 10 ? k.toFixed(1) : String(Math.round(k));
}
