/**
 * @module mo-rea
 * Regularized (aging) evolution (Real, Aggarwal, Huang & Le 2019) made multi-objective as
 * Syne Tune's MultiObjectiveRegularizedEvolution does it (the MOREA that Klein et al.'s
 * whittle searches sub-networks with): the population is a queue from which the oldest
 * member leaves, whatever its quality; each child mutates the best of a random sample (drawn
 * with replacement), judged by the constrained non-dominated rank within the whole queue
 * and, between members of one rank, by a tie-break.
 *
 * Ranks are those of the whole queue (as Syne Tune ranks its population and NSGA-II its
 * own), not of the sample alone: within a sample most members are non-dominated extremes of
 * the sample, and the search drifted to the ends of the front (DTLZ2 0.59–0.85 of the
 * optimal hypervolume against 0.95–0.96; ZDT1 0.82–0.90 against 0.96–0.97).
 *
 * The tie-break is an option. Syne Tune orders a front by an epsilon-net (farthest point
 * first from the best member in the first objective); NSGA-II's crowding distance did as
 * well here (DTLZ2 0.93–0.94 both). Either spreads the queue but, in 3 objectives where most
 * of the queue is one front, exerts no pull towards the true front. The default, a member's
 * exclusive hypervolume contribution to its front (SMS-EMOA's selection criterion, Beume,
 * Naujoks & Emmerich 2007), rewards both spread and convergence: DTLZ2 0.959–0.962 against
 * 0.893–0.917 with crowding, and better on ZDT1 and ZDT2 too (docs/search.md has the runs).
 */
import { hypervolume } from '../hypervolume';
import { constrainedDominates, crowdingDistance } from '../pareto';
import { Evaluated, Strategy, StrategyContext } from '../strategy';
import { polynomialMutation } from '../variation';

export type MoReaTieBreak = 'hypervolume' | 'crowding';

export interface MoReaOptions {
  /** Members in the queue. */
  readonly population: number;
  /** Members drawn (with replacement, as Real et al. and Syne Tune draw) for each tournament. */
  readonly sampleSize: number;
  /** Polynomial mutation distribution index. */
  readonly etaM: number;
  /** Chance that each encoding entry is mutated; undefined means 1/d. */
  readonly mutationRate?: number;
  /**
   * How sampled members of the same rank compare: by exclusive hypervolume contribution to
   * their front (up to 3 objectives; crowding beyond) or by crowding distance.
   * @default 'hypervolume'
   */
  readonly tieBreak?: MoReaTieBreak;
}

/** Mutations that may return the parent itself before the rate doubles; then a neighbour is taken. */
const RETRIES = 4;
/** The contributions' reference point lies this fraction of the front's range beyond its worst values. */
const REFERENCE_MARGIN = 0.1;
/** Exact hypervolume (hence the contribution tie-break) goes up to this many objectives. */
const EXACT_OBJECTIVES = 3;

/**
 * The aging queue with its dominance relation kept up to date: each result is compared with
 * the members once, when it joins, so a tournament finds the front of a rank without a
 * fresh O(M·N²) sort. Members live in `capacity` slots, the oldest one overwritten; the
 * relation takes capacity² bytes.
 */
export class RankedQueue<T> {
  readonly members: Evaluated<T>[] = [];
  /** beats[a·capacity + b]: slot a constrained-dominates slot b. */
  private readonly beats: Uint8Array;
  /** Number of members dominating each slot. */
  private readonly dominators: Int32Array;
  private readonly remaining: Int32Array;
  private oldest = 0;

  constructor(readonly capacity: number) {
    this.beats = new Uint8Array(capacity * capacity);
    this.dominators = new Int32Array(capacity);
    this.remaining = new Int32Array(capacity);
  }

  get size(): number {
    return this.members.length;
  }

  /** Adds a result; once the queue is full it replaces the oldest member. */
  push(result: Evaluated<T>): void {
    const { beats, dominators, capacity: n, members } = this;
    let s: number;
    if (members.length < n) {
      s = members.length;
      members.push(result);
    } else {
      s = this.oldest;
      this.oldest = (s + 1) % n;
      for (let b = 0; b < n; b++) {
        if (beats[s * n + b]) dominators[b]--;
        beats[s * n + b] = 0;
        beats[b * n + s] = 0;
      }
      dominators[s] = 0;
      members[s] = result;
    }
    for (let a = 0; a < members.length; a++) {
      if (a === s) continue;
      const other = members[a];
      if (constrainedDominates(other.point, other.violation, result.point, result.violation)) {
        beats[a * n + s] = 1;
        dominators[s]++;
      } else if (constrainedDominates(result.point, result.violation, other.point, other.violation)) {
        beats[s * n + a] = 1;
        dominators[a]++;
      }
    }
  }

  /**
   * Peels fronts (front 0 is non-dominated, front 1 is once front 0 is removed, …) until
   * one holds a slot for which `stop` is true (then that front is the last returned), or all
   * of them with no `stop`. Slots ascend within each front.
   */
  fronts(stop?: (slot: number) => boolean): number[][] {
    const { beats, capacity: n, remaining } = this;
    const size = this.members.length;
    remaining.set(this.dominators);
    const fronts: number[][] = [];
    let current: number[] = [];
    for (let i = 0; i < size; i++) if (remaining[i] === 0) current.push(i);
    while (current.length) {
      fronts.push(current);
      if (stop && current.some(stop)) break;
      const next: number[] = [];
      for (const p of current) for (let q = 0; q < size; q++) if (beats[p * n + q] && --remaining[q] === 0) next.push(q);
      current = next.sort((a, b) => a - b);
    }
    return fronts;
  }
}

/**
 * Each candidate's hypervolume dominated by it alone within `front`: the box between it and
 * `reference` less the part of the box the other members dominate, which is the hypervolume
 * of their points clipped to the box (each coordinate raised to at least the candidate's).
 * Clipped, most of a front collapses onto a few undominated points, found here before
 * `hypervolume` sees them: a clipped point that leaves the candidate in one coordinate only
 * dominates every clipped point that goes as far in that coordinate, and the rest, sorted by
 * coordinate sum (a point that weakly dominates another comes no later), are kept unless
 * one kept before dominates them.
 */
export function contributions(points: readonly (readonly number[])[], front: readonly number[], candidates: readonly number[], reference: readonly number[]): number[] {
  const m = reference.length;
  const n = front.length;
  const clipped = new Float64Array(n * m);
  const sums = new Float64Array(n);
  const reach = new Float64Array(m);
  const order: number[] = [];
  const kept: number[] = [];
  return candidates.map((i) => {
    const p = points[i];
    let box = 1;
    for (let k = 0; k < m; k++) {
      box *= reference[k] - p[k];
      reach[k] = reference[k];
    }
    // Clip, and find how far the box reaches along each axis before a one-coordinate point.
    for (let a = 0; a < n; a++) {
      if (front[a] === i) continue;
      const q = points[front[a]];
      let sum = 0;
      let out = 0;
      let axis = 0;
      for (let k = 0; k < m; k++) {
        const v = q[k] > p[k] ? q[k] : p[k];
        if (v > p[k]) {
          out++;
          axis = k;
        }
        clipped[a * m + k] = v;
        sum += v;
      }
      // An equal member: nothing is the candidate's alone.
      if (out === 0) return 0;
      if (out === 1 && clipped[a * m + axis] < reach[axis]) reach[axis] = clipped[a * m + axis];
      sums[a] = sum;
    }
    order.length = 0;
    for (let a = 0; a < n; a++) {
      if (front[a] === i) continue;
      let k = 0;
      while (k < m && clipped[a * m + k] < reach[k]) k++;
      if (k === m) order.push(a);
    }
    order.sort((a, b) => sums[a] - sums[b]);
    kept.length = 0;
    for (const a of order) {
      let covered = false;
      for (let j = 0; j < kept.length && !covered; j++) {
        const b = kept[j];
        let k = 0;
        while (k < m && clipped[b * m + k] <= clipped[a * m + k]) k++;
        covered = k === m;
      }
      if (!covered) kept.push(a);
    }
    const rest = kept.map((a) => Array.from(clipped.subarray(a * m, a * m + m)));
    for (let k = 0; k < m; k++) {
      if (reach[k] < reference[k]) rest.push(p.map((v, j) => (j === k ? reach[k] : v)));
    }
    return box - hypervolume(rest, reference);
  });
}

/** A reference point just beyond the front's worst value in each objective. */
function referenceBeyond(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  return points[front[0]].map((_, k) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const i of front) {
      const v = points[i][k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // A front flat in one objective shares that factor in every contribution: any margin does.
    return hi + (hi > lo ? REFERENCE_MARGIN * (hi - lo) : Math.max(1, Math.abs(hi)));
  });
}

/**
 * Multi-objective regularized evolution. Until the queue is full, proposals are random
 * samples; every result told (asked or not) joins the queue.
 */
export function moRea<T>(ctx: StrategyContext<T>, options: MoReaOptions): Strategy<T> {
  const { domain, rng } = ctx;
  const queue = new RankedQueue<T>(options.population);
  const tieBreak = options.tieBreak ?? 'hypervolume';

  const tournament = (): Evaluated<T> => {
    const sample: number[] = [];
    for (let i = 0; i < options.sampleSize; i++) sample.push(rng.int(queue.size));
    const inSample = new Set(sample);
    const fronts = queue.fronts((slot) => inSample.has(slot));
    const front = fronts[fronts.length - 1];
    // Distinct sampled members of the best rank, in slot order.
    const candidates = front.filter((slot) => inSample.has(slot));
    if (candidates.length === 1) return queue.members[candidates[0]];
    const points = queue.members.map((m) => m.point);
    let score: number[];
    if (tieBreak === 'hypervolume' && points[0].length <= EXACT_OBJECTIVES) {
      score = contributions(points, front, candidates, referenceBeyond(points, front));
    } else {
      const crowding = crowdingDistance(points, front);
      score = candidates.map((slot) => crowding[front.indexOf(slot)]);
    }
    const top = score.reduce((a, b) => (b > a ? b : a), -Infinity);
    const best = candidates.filter((_, k) => score[k] === top);
    return queue.members[best[rng.int(best.length)]];
  };

  // A child equal to its parent would only be answered from the log: mutate harder, and on a
  // discrete domain where small steps round back to the parent, take a neighbour.
  const mutate = (parent: Evaluated<T>): T => {
    const encoding = domain.encode(parent.choice);
    let rate = options.mutationRate ?? 1 / domain.dimensions;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const child = domain.decode(polynomialMutation(encoding, rng, { eta: options.etaM, rate }));
      if (domain.key(child) !== parent.key) return child;
      rate = Math.min(1, 2 * rate);
    }
    const near = domain.neighbours(parent.choice, rng);
    return near.length > 0 ? near[rng.int(near.length)] : parent.choice;
  };

  return {
    ask: () => (queue.size < options.population ? domain.sample(rng) : mutate(tournament())),
    tell: (result) => queue.push(result),
  };
}
