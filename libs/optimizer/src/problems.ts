/**
 * @module problems
 * Standard multi-objective test problems with known Pareto fronts, on which a strategy's
 * final hypervolume is measured as a fraction of the optimal one: ZDT1 (convex front) and
 * ZDT2 (concave front) of Zitzler, Deb & Thiele 2000, and DTLZ2 (a sphere octant) of Deb,
 * Thiele, Laumanns & Zitzler 2002.
 */
import { continuousDomain } from './domains';
import { Objective, Optimizer } from './optimizer';
import { Domain, Strategy, StrategyContext } from './strategy';

export interface Problem {
  readonly name: string;
  readonly objectives: readonly Objective[];
  readonly domain: Domain<number[]>;
  /** The objective values of x, all to minimize. */
  evaluate(x: readonly number[]): number[];
  /** The reference point the optimal hypervolume is computed for. */
  readonly reference: readonly number[];
  /** Hypervolume of the whole true front up to `reference`. */
  readonly optimalHypervolume: number;
}

const minimize = (...names: string[]): Objective[] => names.map((name) => ({ name, direction: 'minimize' }));

/** ZDT's distance function: 1 on the front, where x2 … xn are 0. */
const zdtG = (x: readonly number[]) => 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (x.length - 1);

/**
 * A ZDT problem with 30 variables: f1 = x1, f2 = g·h(f1/g), whose front is f2 = h(f1) for
 * f1 ∈ [0, 1]; `optimal` is the hypervolume that front dominates up to (1.1, 1.1).
 */
function zdt(name: string, h: (r: number) => number, optimal: number): Problem {
  return {
    name,
    objectives: minimize('f1', 'f2'),
    domain: continuousDomain(30),
    evaluate(x) {
      const g = zdtG(x);
      return [x[0], g * h(x[0] / g)];
    },
    reference: [1.1, 1.1],
    optimalHypervolume: optimal,
  };
}

/** ZDT1: h(r) = 1 − √r. The front dominates ∫₀¹ (0.1 + √f1) df1 = 0.1 + 2/3, plus 0.1 × 1.1 beyond f1 = 1. */
export const zdt1 = zdt('zdt1', (r) => 1 - Math.sqrt(r), 0.1 + 2 / 3 + 0.11);

/** ZDT2: h(r) = 1 − r², so 0.1 + 1/3 + 0.11. */
export const zdt2 = zdt('zdt2', (r) => 1 - r ** 2, 0.1 + 1 / 3 + 0.11);

/**
 * DTLZ2 with 3 objectives and 12 variables (k = 10 distance variables, 0.5 on the front):
 * the front is the unit sphere's positive octant. A point of the box [0, 1.1]³ is dominated
 * exactly when it lies outside the unit ball (its radial projection onto the sphere is a
 * front point no greater in any coordinate), so the hypervolume is 1.1³ − π/6.
 */
export const dtlz2: Problem = {
  name: 'dtlz2',
  objectives: minimize('f1', 'f2', 'f3'),
  domain: continuousDomain(12),
  evaluate(x) {
    const g = x.slice(2).reduce((sum, v) => sum + (v - 0.5) ** 2, 0);
    const [a, b] = [(x[0] * Math.PI) / 2, (x[1] * Math.PI) / 2];
    return [(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)];
  },
  reference: [1.1, 1.1, 1.1],
  optimalHypervolume: 1.1 ** 3 - Math.PI / 6,
};

/** Every standard problem, in the order the benchmark reports them. */
export const PROBLEMS: readonly Problem[] = [zdt1, zdt2, dtlz2];

/**
 * Runs one search on `problem` for `budget` evaluations and returns its optimizer. The
 * anchors are off: the box's corner of zeros and its centre are Pareto-optimal for ZDT
 * (x2 … xn = 0) and DTLZ2 (x3 … xn = 0.5), and would hand every strategy the answer.
 */
export function solve(problem: Problem, createStrategy: (ctx: StrategyContext<number[]>) => Strategy<number[]>, budget: number, seed: number): Optimizer<number[]> {
  const optimizer = new Optimizer({ domain: problem.domain, createStrategy, objectives: problem.objectives, budget, seed, reference: problem.reference, anchors: false });
  for (let x = optimizer.ask(); x !== undefined; x = optimizer.ask()) optimizer.tell(x, problem.evaluate(x));
  return optimizer;
}

/** One strategy's settings on one problem. */
export interface ProblemRun {
  readonly problem: string;
  readonly strategy: string;
  /** Evaluations. */
  readonly budget: number;
  /** The strategy plugin's options. */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * The smallest round budgets (and the options) at which each strategy reached 95% of the
 * optimal hypervolume on seeds 0 to 4 with some margin (see docs/search.md). The tests and
 * `npm run bench:optimizer` run these.
 */
export const PROBLEM_RUNS: readonly ProblemRun[] = [
  { problem: 'zdt1', strategy: 'nsga2', budget: 10_000, options: { population: 100 } },
  { problem: 'zdt1', strategy: 'mo-rea', budget: 6_000, options: { population: 100, sampleSize: 20, etaM: 5 } },
  { problem: 'zdt1', strategy: 'local-search', budget: 15_000, options: {} },
  { problem: 'zdt2', strategy: 'nsga2', budget: 15_000, options: { population: 100 } },
  { problem: 'zdt2', strategy: 'mo-rea', budget: 8_000, options: { population: 100, sampleSize: 20, etaM: 5 } },
  { problem: 'zdt2', strategy: 'local-search', budget: 8_000, options: {} },
  { problem: 'dtlz2', strategy: 'nsga2', budget: 12_000, options: { population: 100 } },
  { problem: 'dtlz2', strategy: 'mo-rea', budget: 15_000, options: { population: 300, sampleSize: 20, etaM: 30 } },
  { problem: 'dtlz2', strategy: 'local-search', budget: 20_000, options: {} },
];
