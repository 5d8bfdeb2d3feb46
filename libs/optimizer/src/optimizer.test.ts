import { Rng } from '@carve/engine';
import { continuousDomain } from './domains';
import { Objective, Optimizer, OptimizerError, OptimizerOptions, referenceFromAnchors } from './optimizer';
import { builtinStrategy } from './plugins';
import { Domain, Evaluated, Strategy } from './strategy';

/** The integers 0 … n − 1: a finite domain small enough to exhaust. */
function integers(n: number): Domain<number> {
  return {
    name: `integers(${n})`,
    dimensions: 1,
    encode: (x) => [x / (n - 1)],
    decode: (v) => Math.round(Math.min(1, Math.max(0, v[0])) * (n - 1)),
    key: String,
    sample: (rng) => rng.int(n),
    neighbours: (x) => [x - 1, x + 1].filter((y) => y >= 0 && y < n),
    anchors: () => [n - 1, 0],
    size: () => BigInt(n),
  };
}

/** A strategy that proposes from a script (repeating its last entry), recording what it is told. */
function scripted<T>(script: T[], told: Evaluated<T>[] = []): Strategy<T> {
  let i = 0;
  return { ask: () => script[Math.min(i++, script.length - 1)], tell: (r) => void told.push(r) };
}

const TWO: Objective[] = [
  { name: 'a', direction: 'minimize' },
  { name: 'b', direction: 'minimize' },
];

function options<T>(domain: Domain<T>, strategy: Strategy<T>, extra: Partial<OptimizerOptions<T>> = {}): OptimizerOptions<T> {
  return { domain, createStrategy: () => strategy, objectives: TWO, budget: 10, seed: 1, ...extra };
}

/** Asks and tells until ask() returns undefined, evaluating with f. */
function run<T>(optimizer: Optimizer<T>, f: (x: T) => number[]): void {
  for (let x = optimizer.ask(); x !== undefined; x = optimizer.ask()) optimizer.tell(x, f(x));
}

describe('Optimizer', () => {
  test('asks the anchors first and tells them to the strategy', () => {
    const told: Evaluated<number>[] = [];
    const optimizer = new Optimizer(options(integers(10), scripted([5, 6], told), { budget: 4 }));
    run(optimizer, (x) => [x, 10 - x]);
    expect(optimizer.trials.map((t) => t.choice)).toEqual([9, 0, 5, 6]);
    expect(told.map((r) => r.choice)).toEqual([9, 0, 5, 6]);
    const off = new Optimizer(options(integers(10), scripted([5, 6]), { budget: 2, anchors: false }));
    run(off, (x) => [x, 10 - x]);
    expect(off.trials.map((t) => t.choice)).toEqual([5, 6]);
  });

  test('answers repeated proposals from the log, then samples, and never evaluates a member twice', () => {
    const told: Evaluated<number>[] = [];
    const optimizer = new Optimizer(options(integers(5), scripted([3], told), { anchors: false }));
    let evaluations = 0;
    run(optimizer, (x) => (evaluations++, [x, -x]));
    // The strategy always proposes 3: after 100 repeats in a row the optimizer samples instead.
    expect(evaluations).toBe(5);
    expect(new Set(optimizer.trials.map((t) => t.choice)).size).toBe(5);
    expect(told.filter((r) => r.choice === 3).length).toBeGreaterThan(100);
    expect(told.filter((r) => r.choice === 3).every((r) => r.point[0] === 3 && r.point[1] === -3)).toBe(true);
  });

  test('stops at the budget, and at the end of a finite domain even with budget left', () => {
    const optimizer = new Optimizer(options(integers(100), scripted([1, 2, 3, 4]), { budget: 3 }));
    run(optimizer, (x) => [x, x]);
    expect(optimizer.trials.length).toBe(3);
    expect(optimizer.ask()).toBeUndefined();
    const tiny = new Optimizer(options(integers(3), scripted([1]), { budget: 50 }));
    run(tiny, (x) => [x, x]);
    expect(tiny.trials.map((t) => t.choice).sort()).toEqual([0, 1, 2]);
    expect(tiny.ask()).toBeUndefined();
  });

  test('asking twice before telling returns the same member', () => {
    const optimizer = new Optimizer(options(integers(10), scripted([4]), { anchors: false }));
    expect(optimizer.ask()).toBe(4);
    expect(optimizer.ask()).toBe(4);
  });

  test('infeasible trials are kept but left out of the front; violations are relative', () => {
    const optimizer = new Optimizer(options(integers(10), scripted([1, 2, 3, 4, 5, 6, 7, 8]), { budget: 8, anchors: false, constraints: [{ objective: 'b', max: 4 }, { objective: 'a', min: 2 }] }));
    run(optimizer, (x) => [x, 9 - x]);
    const byChoice = new Map(optimizer.trials.map((t) => [t.choice, t]));
    // b = 8 for x = 1: (8 − 4)/4 over the max, and (2 − 1)/2 under the min.
    expect(byChoice.get(1)?.violation).toBeCloseTo(1.5);
    expect(byChoice.get(5)?.feasible).toBe(true);
    expect(optimizer.front().map((t) => t.choice)).toEqual([5, 6, 7, 8]);
  });

  test('maximized objectives are negated for the strategy and the hypervolume, and reported as given', () => {
    const told: Evaluated<number>[] = [];
    // Members 0, 1, 2: (size, accuracy) with 2 dominated by 0.
    const points = [[1, 0.9], [2, 0.95], [3, 0.5]];
    const optimizer = new Optimizer({
      ...options(integers(3), scripted([0, 1, 2], told), { anchors: false, budget: 3, reference: [4, 0] }),
      objectives: [{ name: 'size', direction: 'minimize' }, { name: 'accuracy', direction: 'maximize' }],
    });
    run(optimizer, (x) => points[x]);
    expect(told.map((r) => r.point)).toEqual([[1, -0.9], [2, -0.95], [3, -0.5]]);
    expect(optimizer.front().map((t) => [t.choice, ...t.values])).toEqual([[0, 1, 0.9], [1, 2, 0.95]]);
    // (4 − 1)·0.9 + (4 − 2)·(0.95 − 0.9)
    expect(optimizer.hypervolume()).toBeCloseTo(2.8, 12);
    expect(optimizer.reference).toEqual([4, 0]);
  });

  test('without a reference, fixes one from the anchors (worst plus 10% of the range) and records it', () => {
    expect(referenceFromAnchors([[1, 10], [3, 10], [2, -5]])).toEqual([3.2, 11.5]);
    expect(referenceFromAnchors([[2, 0], [2, 0]])).toEqual([2.2, 1]);
    const optimizer = new Optimizer(options(integers(10), scripted([5])));
    expect(optimizer.hypervolume()).toBe(0);
    optimizer.tell(optimizer.ask() as number, [9, 1]);
    expect(optimizer.reference).toBeUndefined();
    optimizer.tell(optimizer.ask() as number, [0, 10]);
    expect(optimizer.reference).toEqual([9.9, 10.9]);
    expect(optimizer.state().reference).toEqual([9.9, 10.9]);
    expect(optimizer.hypervolume()).toBeCloseTo(0.9 * 9.9 + 9.9 * 0.9 - 0.9 * 0.9, 12);
  });

  test('more than 3 objectives: a fixed-seed Monte Carlo hypervolume', () => {
    const four: Objective[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, direction: 'minimize' }));
    const make = () => new Optimizer({ ...options(integers(10), scripted([1])), objectives: four, reference: [1, 1, 1, 1], budget: 1, anchors: false });
    const [a, b] = [make(), make()];
    for (const o of [a, b]) o.tell(o.ask() as number, [0.5, 0.5, 0.5, 0.5]);
    expect(a.hypervolume()).toBe(b.hypervolume());
    expect(a.hypervolume()).toBeCloseTo(0.0625, 2);
  });
});

describe('Optimizer errors', () => {
  test('lists every problem of the options at once', () => {
    const bad = {
      ...options(integers(4), scripted([0])),
      objectives: [...TWO, { name: 'a', direction: 'minimize' as const }],
      constraints: [{ objective: 'loss', max: 3 }, { objective: 'b' }],
      budget: 0,
      reference: [1, 2],
    };
    expect(() => new Optimizer(bad)).toThrow(
      new OptimizerError(
        "invalid optimizer options: objectives[2]: 'a' is named twice; constraints[0]: objective 'loss' is not among the objectives (a, b, a); " +
          'constraints[1] (b): give max, min or both; budget: must be a positive integer (got 0); reference: has 2 values, but there are 3 objectives (a, b, a)',
        'invalid_optimizer_options',
      ),
    );
    expect(() => new Optimizer({ ...options(integers(4), scripted([0])), objectives: [] })).toThrow('objectives: give at least one');
  });

  test('tell refuses a member that was not asked, and values of the wrong count or not finite', () => {
    const optimizer = new Optimizer(options(integers(10), scripted([4]), { anchors: false }));
    expect(() => optimizer.tell(4, [1, 2])).toThrow('tell, trial 0: nothing is waiting for a result; call ask() first');
    optimizer.ask();
    expect(() => optimizer.tell(5, [1, NaN, 3])).toThrow(
      'tell, trial 0: the choice 5 is not the member last asked (4); tell the choice ask() returned; expected 2 values (a, b), got 3',
    );
    expect(() => optimizer.tell(4, [1, Infinity])).toThrow('tell, trial 0: values[1] (b) must be a finite number (got Infinity)');
    expect(optimizer.tell(4, [1, 2]).index).toBe(0);
  });

  test('an unknown strategy name or bad strategy options are reported by the registry, naming what it knows', () => {
    const make = (name: string, strategyOptions: unknown) => () => new Optimizer({ ...options(continuousDomain(2), scripted([[0, 0]])), createStrategy: builtinStrategy(name, strategyOptions) });
    expect(make('cma-es', {})).toThrow('unknown optimizer plugin "cma-es" (optimizer plugins: local-search, mo-rea, nsga2, parego, random)');
    expect(make('nsga2', { populaton: 10 })).toThrow("optimizer 'nsga2' options: populaton: unknown option (options: population, crossoverProbability, etaC, etaM, mutationRate)");
  });

  test('the generator given to the strategy is seeded by the options', () => {
    const draws: number[][] = [];
    for (const seed of [3, 3, 4]) new Optimizer({ ...options(integers(4), scripted([0])), seed, createStrategy: (ctx) => (draws.push([ctx.rng.next()]), scripted([0])) });
    expect(draws[0]).toEqual(draws[1]);
    expect(draws[0]).not.toEqual(draws[2]);
    expect(new Rng(3).next()).toBe(draws[0][0]);
  });
});
