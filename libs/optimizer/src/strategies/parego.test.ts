import { Rng } from '@carve/engine';
import { hypervolume } from '../hypervolume';
import { Domain, Evaluated, Strategy, StrategyContext } from '../strategy';
import { defaultGranularity, defaultInitial, paregoOptionsSchema, paregoStrategy } from './parego';

const N = 5;
const BUDGET = 60;
const REFERENCE = [1.1, 1.1];

/** [0, 1]^N as itself; the shared continuous domain is written elsewhere. */
const cube: Domain<number[]> = {
  name: 'cube',
  dimensions: N,
  encode: (x) => [...x],
  decode: (v) => v.map((e) => Math.min(1, Math.max(0, e))),
  key: (x) => x.join(','),
  sample: (rng) => Array.from({ length: N }, () => rng.next()),
  neighbours: () => [],
  anchors: () => [new Array<number>(N).fill(0), new Array<number>(N).fill(1), new Array<number>(N).fill(0.5)],
};

function zdt1(x: readonly number[]): number[] {
  const f1 = x[0];
  const g = 1 + (9 * x.slice(1).reduce((s, v) => s + v, 0)) / (x.length - 1);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}

/** Random search, the baseline. */
const randomStrategy = (ctx: StrategyContext<number[]>): Strategy<number[]> => ({ ask: () => cube.sample(ctx.rng), tell: () => undefined });

/**
 * The optimizer's loop in miniature: the anchors are told first, a repeated proposal is told
 * again without being evaluated, and the search stops after `budget` evaluations.
 */
function search(
  make: (ctx: StrategyContext<number[]>) => Strategy<number[]>,
  seed: number,
  evaluate: (x: readonly number[]) => { point: number[]; violation: number } = (x) => ({ point: zdt1(x), violation: 0 }),
): { results: Evaluated<number[]>[]; asked: string[] } {
  const strategy = make({ domain: cube, objectives: 2, rng: new Rng(seed), budget: BUDGET });
  const results = new Map<string, Evaluated<number[]>>();
  const asked: string[] = [];
  const tell = (choice: number[]): void => {
    const key = cube.key(choice);
    const result = results.get(key) ?? { choice, key, ...evaluate(choice) };
    results.set(key, result);
    strategy.tell(result);
  };
  cube.anchors().forEach(tell);
  while (results.size < BUDGET) {
    if (asked.length > 10 * BUDGET) throw new Error('the strategy keeps proposing evaluated members');
    const choice = strategy.ask();
    asked.push(cube.key(choice));
    tell(choice);
  }
  return { results: [...results.values()], asked };
}

const volume = (results: readonly Evaluated<number[]>[]): number => hypervolume(results.filter((r) => r.violation <= 0).map((r) => r.point), REFERENCE);

describe('paregoStrategy', () => {
  it('beats random search on ZDT1 (n = 5) at 60 evaluations', () => {
    const rows = [1, 2, 3].map((seed) => {
      const parego = search((ctx) => paregoStrategy(ctx), seed);
      const random = search(randomStrategy, seed);
      return { seed, parego: volume(parego.results), random: volume(random.results), repeats: parego.asked.length - (BUDGET - 3) };
    });
    console.log(rows.map((r) => `seed ${r.seed}: ParEGO ${r.parego.toFixed(4)}, random ${r.random.toFixed(4)}, repeated asks ${r.repeats}`).join('\n'));
    for (const r of rows) {
      expect(r.parego).toBeGreaterThan(r.random);
      expect(r.repeats).toBe(0);
    }
  });

  it('asks the same sequence for the same seed and tells', () => {
    const first = search((ctx) => paregoStrategy(ctx, { candidates: 300 }), 11).asked;
    const again = search((ctx) => paregoStrategy(ctx, { candidates: 300 }), 11).asked;
    const other = search((ctx) => paregoStrategy(ctx, { candidates: 300 }), 12).asked;
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('samples the domain until `initial` distinct members are told, counting repeats once', () => {
    const rng = new Rng(4);
    const strategy = paregoStrategy({ domain: cube, objectives: 2, rng, budget: BUDGET }, { initial: 5 });
    const replay = new Rng(4);
    const tell = (choice: number[]): void => strategy.tell({ choice, key: cube.key(choice), point: zdt1(choice), violation: 0 });
    for (const anchor of cube.anchors()) {
      tell(anchor);
      tell(anchor);
    }
    for (let i = 0; i < 2; i++) {
      const choice = strategy.ask();
      expect(choice).toEqual(cube.sample(replay));
      tell(choice);
    }
    // Five distinct members told: the model proposes, off the sampling sequence.
    expect(strategy.ask()).not.toEqual(cube.sample(replay));
  });

  it('steers away from the infeasible region', () => {
    // Feasible only where x1 ≥ 0.5, which excludes ZDT1's optimal front (x1 = 0).
    const constrained = (x: readonly number[]) => ({ point: zdt1(x), violation: Math.max(0, 0.5 - x[1]) });
    const { results } = search((ctx) => paregoStrategy(ctx, { candidates: 500 }), 5, constrained);
    const modelled = results.slice(defaultInitial(N, BUDGET));
    const feasible = modelled.filter((r) => r.violation === 0).length;
    expect(feasible / modelled.length).toBeGreaterThan(0.7);
  });

  it('does not propose a member twice before it is told', () => {
    const strategy = paregoStrategy({ domain: cube, objectives: 2, rng: new Rng(9), budget: BUDGET }, { initial: 3, candidates: 200 });
    for (const a of cube.anchors()) strategy.tell({ choice: a, key: cube.key(a), point: zdt1(a), violation: 0 });
    const keys = Array.from({ length: 4 }, () => cube.key(strategy.ask()));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('ParEGO defaults', () => {
  it('spends at most a quarter of the budget, and at most 20, on the initial sample', () => {
    expect(defaultInitial(5, 60)).toBe(15);
    expect(defaultInitial(5, 1000)).toBe(20);
    expect(defaultInitial(1, 1000)).toBe(10);
    expect(defaultInitial(5, 12)).toBe(6);
    expect(defaultInitial(5, 4)).toBe(4);
    expect(defaultGranularity(2)).toBe(5);
    expect(defaultGranularity(3)).toBe(4);
  });

  it('parses {} to the default options', () => {
    expect(paregoOptionsSchema.parse({})).toEqual({ candidates: 2000, rho: 0.05, maxTrain: 80 });
    expect(paregoOptionsSchema.safeParse({ rho: -1 }).success).toBe(false);
  });
});
