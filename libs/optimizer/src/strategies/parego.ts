/**
 * @module parego
 * ParEGO (Knowles 2006, "ParEGO: a hybrid algorithm with on-line landscape approximation for
 * expensive multiobjective optimization problems"): each step draws a weight vector, turns the
 * objectives into one augmented Tchebycheff value, fits a Gaussian process to the told members'
 * encodings → that value, and proposes the candidate with the largest expected improvement.
 * For budgets of tens to a few hundred evaluations, where each evaluation costs far more than
 * the O(n³) model fit.
 */
import { z } from 'zod';
import { Strategy, StrategyContext } from '../strategy';
import { fitGaussianProcess, logExpectedImprovement } from './gp';

/** ParEGO's options; each absent one takes its default. */
export interface ParegoOptions {
  /** Members told (anchors included) before the model is used; default {@link defaultInitial}. */
  initial?: number;
  /** Candidate encodings scored by expected improvement per ask. */
  candidates?: number;
  /** Weight-vector granularity: weights are multiples of 1/s; default {@link defaultGranularity}. */
  s?: number;
  /** Weight of the sum term of the augmented Tchebycheff function. */
  rho?: number;
  /** Most members the GP is fitted on, bounding the O(n³) fit. */
  maxTrain?: number;
}

/** Defaults of the options that do not depend on the problem. */
export const PAREGO_DEFAULTS = {
  /** Cheap next to a fit: 2000 GP predictions at n = 80 take milliseconds. */
  candidates: 2000,
  /** Knowles' value: enough to break ties between weakly dominated points, small enough not to bias. */
  rho: 0.05,
  /** Knowles' cap; an 80×80 Cholesky per likelihood evaluation keeps an ask well under a second. */
  maxTrain: 80,
} as const;

/** Options of the 'parego' optimizer plugin; `initial` and `s` default from the problem, see {@link paregoStrategy}. */
export const paregoOptionsSchema = z.object({
  initial: z.number().int().positive().optional(),
  candidates: z.number().int().positive().default(PAREGO_DEFAULTS.candidates),
  s: z.number().int().positive().optional(),
  rho: z.number().nonnegative().default(PAREGO_DEFAULTS.rho),
  maxTrain: z.number().int().min(2).default(PAREGO_DEFAULTS.maxTrain),
});

/**
 * Default size of the space-filling start: Knowles' 11d − 1, capped at 20 and at a quarter of
 * the budget, since his 11d − 1 was set for 250 evaluations and d ≤ 8 and would otherwise
 * spend most of a small budget (54 of 60 at d = 5) before the model helps; but at least d + 1,
 * the fewest points that let a GP tell the d length-scales apart, when the budget allows.
 */
export function defaultInitial(dimensions: number, budget: number): number {
  return Math.max(Math.min(11 * dimensions - 1, 20, Math.floor(budget / 4)), Math.min(dimensions + 1, budget));
}

/**
 * Default weight granularity: 5 for 2 objectives (6 weight vectors) and 4 for more (15 for
 * 3), so that a small budget revisits each direction several times instead of scattering
 * single steps over many.
 */
export function defaultGranularity(objectives: number): number {
  return objectives <= 2 ? 5 : 4;
}

/** Every vector of `m` non-negative multiples of 1/s summing to 1. */
function simplexLattice(m: number, s: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[], left: number): void => {
    if (prefix.length === m - 1) {
      out.push([...prefix, left].map((i) => i / s));
      return;
    }
    for (let i = 0; i <= left; i++) walk([...prefix, i], left - i);
  };
  walk([], s);
  return out;
}

interface Told {
  encoding: number[];
  point: number[];
  violation: number;
}

/** How many of the best told members candidates are mutated from, and how far. */
const PARENTS = 5;
const MUTATION_SIGMA = 0.1;

/**
 * ParEGO as an ask/tell strategy. Until `initial` distinct members are told it samples the
 * domain; then each ask normalises the told objective vectors to [0, 1] (by the feasible
 * ones when there are any), draws λ from the simplex lattice {i/s}, scalarises
 * f_λ = max_j λ_j f_j + ρ Σ_j λ_j f_j, penalises infeasible members above every feasible one
 * (by 1 + violation), fits a GP to the standardised values and returns the decoded candidate
 * of largest expected improvement whose key is neither told nor already proposed.
 */
export function paregoStrategy<T>(ctx: StrategyContext<T>, options: ParegoOptions = {}): Strategy<T> {
  const { domain, rng } = ctx;
  const d = domain.dimensions;
  const initial = options.initial ?? defaultInitial(d, ctx.budget);
  const candidates = options.candidates ?? PAREGO_DEFAULTS.candidates;
  const rho = options.rho ?? PAREGO_DEFAULTS.rho;
  const maxTrain = options.maxTrain ?? PAREGO_DEFAULTS.maxTrain;
  const weights = simplexLattice(ctx.objectives, options.s ?? defaultGranularity(ctx.objectives));
  const told: Told[] = [];
  const toldKeys = new Set<string>();
  // Proposed but not yet told: a caller that asks several times before telling gets distinct members.
  const pending = new Set<string>();

  const propose = (choice: T): T => {
    pending.add(domain.key(choice));
    return choice;
  };

  return {
    ask() {
      if (told.length < initial) return propose(domain.sample(rng));
      const values = scalarise(told, weights[rng.int(weights.length)], rho);
      const training = selectTraining(values, maxTrain);
      const mean = training.reduce((s, i) => s + values[i], 0) / training.length;
      const sd = Math.sqrt(training.reduce((s, i) => s + (values[i] - mean) ** 2, 0) / training.length) || 1;
      const y = training.map((i) => (values[i] - mean) / sd);
      const gp = fitGaussianProcess(training.map((i) => told[i].encoding), y);
      const incumbent = Math.min(...y);
      const parents = [...training].sort((a, b) => values[a] - values[b] || a - b).slice(0, PARENTS);
      const scored: { v: number[]; score: number }[] = [];
      for (let c = 0; c < candidates; c++) {
        const v =
          c % 2 === 0
            ? Array.from({ length: d }, () => rng.next())
            : told[parents[rng.int(parents.length)]].encoding.map((e) => Math.min(1, Math.max(0, e + rng.normal(0, MUTATION_SIGMA))));
        const p = gp.predict(v);
        scored.push({ v, score: logExpectedImprovement(p.mean, p.variance, incumbent) });
      }
      scored.sort((a, b) => b.score - a.score);
      let fallback: T | undefined;
      for (const { v } of scored) {
        const choice = domain.decode(v);
        const key = domain.key(choice);
        if (!toldKeys.has(key) && !pending.has(key)) return propose(choice);
        fallback ??= choice;
      }
      // Every candidate decodes to a known member (a small discrete domain): the optimizer
      // de-duplicates, so the best one costs no evaluation.
      return propose(fallback ?? domain.sample(rng));
    },
    tell(result) {
      pending.delete(result.key);
      if (toldKeys.has(result.key)) return;
      toldKeys.add(result.key);
      told.push({ encoding: domain.encode(result.choice), point: result.point, violation: result.violation });
    },
  };
}

/**
 * The augmented Tchebycheff value of each told member under weights λ, objectives normalised
 * to [0, 1] by the feasible members' range (all members' when none is feasible); infeasible
 * members score 1 + violation above the worst feasible one, so the model learns to avoid them
 * without their objectives stretching its scale.
 */
function scalarise(told: readonly Told[], lambda: readonly number[], rho: number): number[] {
  const feasible = told.filter((t) => t.violation <= 0);
  const basis = feasible.length > 0 ? feasible : told;
  const lo = lambda.map((_, j) => Math.min(...basis.map((t) => t.point[j])));
  const hi = lambda.map((_, j) => Math.max(...basis.map((t) => t.point[j])));
  const raw = told.map((t) => {
    let max = -Infinity;
    let sum = 0;
    for (let j = 0; j < lambda.length; j++) {
      const f = (lambda[j] * (t.point[j] - lo[j])) / (hi[j] - lo[j] || 1);
      max = Math.max(max, f);
      sum += f;
    }
    return max + rho * sum;
  });
  const worst = Math.max(...raw.filter((_, i) => feasible.length === 0 || told[i].violation <= 0));
  return raw.map((v, i) => (told[i].violation > 0 ? worst + 1 + told[i].violation : v));
}

/**
 * Indices of at most `maxTrain` members: the better half by value, so the model is accurate
 * where improvement is possible, and the rest the most recent, so it still knows which
 * regions were tried and found poor.
 */
function selectTraining(values: readonly number[], maxTrain: number): number[] {
  const all = values.map((_, i) => i);
  if (all.length <= maxTrain) return all;
  const best = [...all].sort((a, b) => values[a] - values[b] || a - b).slice(0, Math.ceil(maxTrain / 2));
  const chosen = new Set(best);
  for (let i = all.length - 1; chosen.size < maxTrain; i--) chosen.add(i);
  return [...chosen].sort((a, b) => a - b);
}
