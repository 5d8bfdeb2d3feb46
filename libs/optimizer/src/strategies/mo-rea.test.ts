import { Rng } from '@carve/engine';
import { presetConfig } from '@carve/model';
import { jointSpace } from '@carve/search-space';
import { continuousDomain, subNetworkDomain } from '../domains';
import { hypervolume } from '../hypervolume';
import { constrainedSort, paretoFront } from '../pareto';
import { Domain, Evaluated } from '../strategy';
import { contributions, moRea, MoReaOptions, RankedQueue } from './mo-rea';

const OPTIONS = { population: 5, sampleSize: 3, etaM: 20 };

test.each([
  ['a continuous domain', continuousDomain(6) as Domain<unknown>],
  ['a sub-network space', subNetworkDomain(jointSpace(presetConfig('stories260K'))) as Domain<unknown>],
])('on %s, a child always differs from its parent', (_what, domain) => {
  const rng = new Rng(1);
  // A population of one member, five times over: every tournament picks it.
  const parent = domain.sample(new Rng(2));
  const strategy = moRea({ domain, objectives: 2, rng, budget: 100 }, OPTIONS);
  for (let i = 0; i < 5; i++) strategy.tell({ choice: parent, key: domain.key(parent), point: [1, 1], violation: 0 });
  for (let i = 0; i < 200; i++) expect(domain.key(strategy.ask())).not.toBe(domain.key(parent));
});

const near = (x: number[], y: number[]) => Math.hypot(x[0] - y[0], x[1] - y[1]) < 0.3;

test('fills its queue with samples, then mutates the tournament winner; the oldest leaves first', () => {
  const domain = continuousDomain(2);
  // The sample is drawn with replacement: 40 draws from 5 members miss none (for this seed).
  const strategy = moRea({ domain, objectives: 2, rng: new Rng(3), budget: 100 }, { ...OPTIONS, sampleSize: 40, mutationRate: 1 });
  const tell = (x: number[], point: number[]) => strategy.tell({ choice: x, key: domain.key(x), point, violation: 0 });
  // The best member (it dominates the rest) ages out after five more results.
  tell([0.5, 0.5], [0, 0]);
  for (let i = 0; i < 4; i++) tell([0.1 * i, 0.9], [1 + i, 1 + i]);
  expect(near(strategy.ask() as number[], [0.5, 0.5])).toBe(true);
  tell([0.9, 0.1], [9, 9]);
  // Now the best of the queue is [0, 0.9], at point (1, 1).
  expect(near(strategy.ask() as number[], [0, 0.9])).toBe(true);
});

test('the queue keeps the fronts of its members as they join and age out', () => {
  const rng = new Rng(7);
  const queue = new RankedQueue<number>(12);
  // Few distinct values make ties and repeats; some members are infeasible.
  const value = () => rng.int(5);
  for (let i = 0; i < 200; i++) {
    const point = [value(), value(), value()];
    queue.push({ choice: i, key: String(i), point, violation: rng.next() < 0.2 ? rng.int(3) + 1 : 0 });
    const members = queue.members;
    const expected = constrainedSort(
      members.map((m) => m.point),
      members.map((m) => m.violation),
    ).map((front) => [...front].sort((a, b) => a - b));
    expect(queue.fronts()).toEqual(expected);
  }
});

test.each([2, 3])('hypervolume contributions in %i objectives are those of removing each member', (m) => {
  const rng = new Rng(13);
  for (let trial = 0; trial < 50; trial++) {
    // Coarse values make ties and repeats; the front is the non-dominated ones.
    const points = Array.from({ length: 30 }, () => Array.from({ length: m }, () => rng.int(8) / 8));
    const front = paretoFront(points);
    const reference = new Array<number>(m).fill(1.2);
    const total = hypervolume(front.map((i) => points[i]), reference);
    const expected = front.map((i) => total - hypervolume(front.filter((j) => j !== i).map((j) => points[j]), reference));
    const actual = contributions(points, front, front, reference);
    actual.forEach((c, k) => expect(c).toBeCloseTo(expected[k], 12));
  }
});

describe('the tie-break among the sampled members of the best rank', () => {
  // Four non-dominated members, each at its own corner of the domain. B alone dominates
  // most (0.6 × 0.7 up to the reference (1.1, 1.1)); A and D are the extremes.
  const members: [string, number[], number[]][] = [
    ['A', [0.1, 0.1], [0, 1]],
    ['B', [0.9, 0.1], [0.3, 0.3]],
    ['C', [0.1, 0.9], [0.9, 0.05]],
    ['D', [0.9, 0.9], [1, 0]],
  ];
  const winners = (options: Partial<MoReaOptions>, objectives = 2) => {
    const domain = continuousDomain(2);
    const strategy = moRea({ domain, objectives, rng: new Rng(11), budget: 100 }, { population: 4, sampleSize: 40, etaM: 200, mutationRate: 1, ...options });
    for (const [, choice, point] of members) {
      const padded = [...point, ...new Array<number>(objectives - 2).fill(0)];
      const result: Evaluated<number[]> = { choice, key: domain.key(choice), point: padded, violation: 0 };
      strategy.tell(result);
    }
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const child = strategy.ask() as number[];
      names.add(members.find(([, choice]) => near(choice, child))?.[0] ?? '?');
    }
    return [...names].sort();
  };

  test('by hypervolume contribution (the default) picks the member that adds most', () => {
    expect(winners({})).toEqual(['B']);
  });

  test('by crowding distance picks the extremes', () => {
    expect(winners({ tieBreak: 'crowding' })).toEqual(['A', 'D']);
  });

  test('beyond 3 objectives, where hypervolume is not exact, falls back to crowding distance', () => {
    expect(winners({}, 4)).toEqual(['A', 'D']);
  });
});
