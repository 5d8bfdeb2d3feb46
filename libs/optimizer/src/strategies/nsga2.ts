/**
 * @module nsga2
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002): a generational genetic algorithm whose
 * parents are chosen by binary tournament on (constrained non-dominated rank, crowding
 * distance), whose children come from SBX and polynomial mutation on encodings, and whose
 * next generation is the best of parents and children by the same two keys.
 */
import { constrainedSort, crowdingDistance } from '../pareto';
import { Evaluated, Strategy, StrategyContext } from '../strategy';
import { polynomialMutation, sbx } from '../variation';

export interface Nsga2Options {
  /** Parents kept, and children bred per generation. */
  readonly population: number;
  /** Chance that a pair of parents is recombined rather than copied. */
  readonly crossoverProbability: number;
  /** SBX distribution index. */
  readonly etaC: number;
  /** Polynomial mutation distribution index. */
  readonly etaM: number;
  /** Chance that each encoding entry is mutated; undefined means 1/d. */
  readonly mutationRate?: number;
}

/** Non-dominated rank (constrained) and crowding distance within its front, for each member. */
export function rankAndCrowding<T>(members: readonly Evaluated<T>[]): { rank: number[]; crowding: number[]; fronts: number[][] } {
  const points = members.map((m) => m.point);
  const fronts = constrainedSort(points, members.map((m) => m.violation));
  const rank = new Array<number>(members.length);
  const crowding = new Array<number>(members.length);
  fronts.forEach((front, r) => {
    const distance = crowdingDistance(points, front);
    front.forEach((i, k) => {
      rank[i] = r;
      crowding[i] = distance[k];
    });
  });
  return { rank, crowding, fronts };
}

/** Members in order, the first of each key kept: repeats would crowd out diversity. */
function distinct<T>(members: readonly Evaluated<T>[]): Evaluated<T>[] {
  const seen = new Set<string>();
  return members.filter((m) => {
    if (seen.has(m.key)) return false;
    seen.add(m.key);
    return true;
  });
}

/**
 * NSGA-II. The first `population` results told (anchors, then random samples) are the
 * first generation; each later generation's children are asked one at a time, and once as
 * many results as children have been told (repeats and unasked members count), the next
 * generation is selected from parents and children.
 */
export function nsga2<T>(ctx: StrategyContext<T>, options: Nsga2Options): Strategy<T> {
  const { domain, rng } = ctx;
  const size = options.population;
  const mutation = { eta: options.etaM, rate: options.mutationRate ?? 1 / domain.dimensions };
  let parents: Evaluated<T>[] = [];
  let rank: number[] = [];
  let crowding: number[] = [];
  let started = false;
  let children: Evaluated<T>[] = [];
  let queue: T[] = [];

  const select = (pool: Evaluated<T>[]) => {
    const ranked = rankAndCrowding(pool);
    const kept: number[] = [];
    for (const front of ranked.fronts) {
      const room = size - kept.length;
      if (room <= 0) break;
      // Within the last front that fits only partly, the least crowded members go on.
      kept.push(...(front.length <= room ? front : [...front].sort((a, b) => ranked.crowding[b] - ranked.crowding[a] || a - b).slice(0, room)));
    }
    parents = kept.map((i) => pool[i]);
    rank = kept.map((i) => ranked.rank[i]);
    crowding = kept.map((i) => ranked.crowding[i]);
  };

  const tournament = () => {
    const a = rng.int(parents.length);
    const b = rng.int(parents.length);
    if (rank[a] !== rank[b]) return rank[a] < rank[b] ? a : b;
    if (crowding[a] !== crowding[b]) return crowding[a] > crowding[b] ? a : b;
    return rng.next() < 0.5 ? a : b;
  };

  const breed = (): T[] => {
    const bred: T[] = [];
    while (bred.length < size) {
      const a = domain.encode(parents[tournament()].choice);
      const b = domain.encode(parents[tournament()].choice);
      const pair = rng.next() < options.crossoverProbability ? sbx(a, b, rng, { eta: options.etaC }) : [a, b];
      for (const child of pair) if (bred.length < size) bred.push(domain.decode(polynomialMutation(child, rng, mutation)));
    }
    return bred;
  };

  return {
    ask() {
      if (!started) return domain.sample(rng);
      if (queue.length === 0) queue = breed();
      return queue.shift() as T;
    },
    tell(result) {
      if (!started) {
        parents.push(result);
        if (parents.length < size) return;
        started = true;
        select(distinct(parents));
        return;
      }
      children.push(result);
      if (children.length < size) return;
      select(distinct([...parents, ...children]));
      children = [];
      // Children bred from the old parents but never asked are dropped with them.
      queue = [];
    },
  };
}
