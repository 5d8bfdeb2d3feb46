/**
 * @module local-search
 * Pareto local search: keep the archive of members no other evaluated member dominates
 * (under constraint domination) and propose unvisited neighbours of archive members, so the
 * front is improved where it already is.
 */
import { constrainedDominates } from '../pareto';
import { Evaluated, Strategy, StrategyContext } from '../strategy';

export interface LocalSearchOptions {
  /**
   * Which archive member to expand: 'uniform' at random, or 'least-explored' (fewest
   * neighbours proposed so far, ties at random), which walks new members of the front first.
   */
  readonly pick: 'uniform' | 'least-explored';
}

/** Neighbour draws a member of a continuous domain gets per ask before another member is tried. */
const CONTINUOUS_DRAWS = 10;

interface Entry<T> {
  readonly member: Evaluated<T>;
  /** Neighbours drawn but not yet proposed. */
  pending: T[];
  proposed: number;
  /** A later result dominates it: it leaves the archive. */
  dominated: boolean;
  /** Every neighbour (of a finite domain) was proposed already: it stays, but offers nothing. */
  exhausted: boolean;
}

/**
 * Pareto local search. Each ask picks an archive member that still has unproposed
 * neighbours and proposes one; when no member has any left, a random sample.
 *
 * Members wait in buckets by the number of neighbours proposed from them ('uniform' keeps
 * them all in one), so a pick is a random draw from the lowest non-empty bucket rather than a
 * scan of an archive that grows to thousands on a continuous front. Dominated and exhausted
 * members are dropped from the buckets when drawn.
 */
export function localSearch<T>(ctx: StrategyContext<T>, options: LocalSearchOptions): Strategy<T> {
  const { domain, rng } = ctx;
  let archive: Entry<T>[] = [];
  const proposed = new Set<string>();
  const buckets: Entry<T>[][] = [];
  let lowest = 0;

  const place = (entry: Entry<T>) => {
    const b = options.pick === 'uniform' ? 0 : entry.proposed;
    (buckets[b] ??= []).push(entry);
    lowest = Math.min(lowest, b);
  };

  const pick = (): Entry<T> | undefined => {
    for (; lowest < buckets.length; lowest++) {
      const bucket = buckets[lowest] ?? [];
      while (bucket.length > 0) {
        const i = rng.int(bucket.length);
        const entry = bucket[i];
        bucket[i] = bucket[bucket.length - 1];
        bucket.pop();
        if (!entry.dominated && !entry.exhausted) return entry;
      }
    }
    return undefined;
  };

  // A finite domain's neighbours are fixed, so one draw that yields nothing new means none
  // ever will; a continuous domain's are random, and a draw can land back on x or on
  // proposed members (at the box's bounds), so it gets a few more draws and no verdict.
  const finite = domain.size !== undefined;
  const draws = finite ? 1 : CONTINUOUS_DRAWS;

  /** An unproposed neighbour of `entry`, drawing more once its drawn ones are used. */
  const next = (entry: Entry<T>): T | undefined => {
    for (let drawn = 0; ; drawn++) {
      while (entry.pending.length > 0) {
        const candidate = entry.pending.shift() as T;
        if (!proposed.has(domain.key(candidate))) return candidate;
      }
      if (drawn === draws) return undefined;
      entry.pending = domain.neighbours(entry.member.choice, rng);
    }
  };

  return {
    ask() {
      const drawn: Entry<T>[] = [];
      let candidate: T | undefined;
      for (let entry = pick(); entry; entry = candidate === undefined ? pick() : undefined) {
        candidate = next(entry);
        if (candidate !== undefined) entry.proposed++;
        else if (finite) entry.exhausted = true;
        // Members drawn go back only now, so that one without a neighbour is not drawn twice.
        if (!entry.exhausted) drawn.push(entry);
      }
      drawn.forEach(place);
      const choice = candidate ?? domain.sample(rng);
      proposed.add(domain.key(choice));
      return choice;
    },
    tell(result) {
      proposed.add(result.key);
      const beats = (a: Evaluated<T>, b: Evaluated<T>) => constrainedDominates(a.point, a.violation, b.point, b.violation);
      if (archive.some((e) => e.member.key === result.key || beats(e.member, result))) return;
      archive = archive.filter((e) => {
        e.dominated = beats(result, e.member);
        return !e.dominated;
      });
      const entry: Entry<T> = { member: result, pending: [], proposed: 0, dominated: false, exhausted: false };
      archive.push(entry);
      place(entry);
    },
  };
}
