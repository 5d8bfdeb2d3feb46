/**
 * @module results
 * An experiment's numbers: every measured model as a point (method, seed, parameters,
 * latency, held-out loss, task scores); per method and seed the hypervolume of loss against
 * parameter fraction from one fixed reference point; and at each parameter budget, each
 * method's best loss (mean and spread over seeds) and which method wins.
 */
import { hypervolume } from '@carve/optimizer';

/** A measured model. */
export interface ResultPoint {
  /** The arm ('method', 'no-kd') or the baseline ('flap+ft', 'subnetwork+ft'). */
  method: string;
  kind: 'arm' | 'baseline';
  seed: number;
  /** The model's name in its run (m1-114k, flap+ft@m1-114k). */
  name: string;
  params: number;
  /** Prefill latency, median, ms. */
  latencyMs: number;
  loss: number;
  /** Primary metric per task. */
  tasks: Record<string, { metric: string; value: number; stderr: number }>;
}

/** The original model, measured on the same windows and tasks. */
export interface Reference {
  params: number;
  loss: number;
  latencyMs: number;
  tasks: Record<string, { metric: string; value: number; stderr: number }>;
  /** The hypervolume's fixed reference point: (1, ln vocabulary), a uniform guess at full size. */
  hypervolumeReference: [number, number];
}

export interface MethodSummary {
  method: string;
  kind: 'arm' | 'baseline';
  seeds: number[];
  /** Per seed, the hypervolume of (params / full params, loss) below the reference point. */
  hypervolume: { perSeed: number[]; mean: number; std: number };
}

/** One method's best loss within a budget, over seeds. */
export interface BudgetEntry {
  method: string;
  /** Seeds with a model inside the budget. */
  seeds: number;
  loss: { mean: number; std: number; perSeed: number[] };
  /** The primary metric of each task for the same (lowest-loss) models, averaged over seeds. */
  tasks: Record<string, number>;
}

export interface BudgetRow {
  /** The budget as a fraction of the original's parameters. */
  fraction: number;
  params: number;
  entries: BudgetEntry[];
  /** The method with the lowest mean loss. */
  best: string;
}

export interface ExperimentResults {
  reference: Reference;
  points: ResultPoint[];
  methods: MethodSummary[];
  budgets: BudgetRow[];
  /** For each baseline: the budgets at which the method ('method' arm) has the lower mean loss, and those at which it does not. */
  dominance: { baseline: string; wins: number[]; losses: number[] }[];
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const std = (xs: readonly number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);

/** Summaries, budget rows and the dominance table from the points. */
export function analyse(points: readonly ResultPoint[], reference: Reference, fractions: readonly number[], primary = 'method'): ExperimentResults {
  const methods = [...new Set(points.map((p) => p.method))];
  const of = (method: string) => points.filter((p) => p.method === method);
  const summaries: MethodSummary[] = methods.map((method) => {
    const mine = of(method);
    const seeds = [...new Set(mine.map((p) => p.seed))].sort((a, b) => a - b);
    const perSeed = seeds.map((seed) => hypervolume(mine.filter((p) => p.seed === seed).map((p) => [p.params / reference.params, p.loss]), reference.hypervolumeReference));
    return { method, kind: mine[0].kind, seeds, hypervolume: { perSeed, mean: mean(perSeed), std: std(perSeed) } };
  });
  const budgets: BudgetRow[] = fractions.map((fraction) => {
    const params = Math.round(fraction * reference.params);
    const entries: BudgetEntry[] = [];
    for (const method of methods) {
      const bySeed = new Map<number, ResultPoint>();
      for (const p of of(method)) {
        if (p.params > params) continue;
        const best = bySeed.get(p.seed);
        if (!best || p.loss < best.loss) bySeed.set(p.seed, p);
      }
      if (bySeed.size === 0) continue;
      const chosen = [...bySeed.values()];
      const taskNames = Object.keys(chosen[0].tasks);
      entries.push({
        method,
        seeds: chosen.length,
        loss: { mean: mean(chosen.map((p) => p.loss)), std: std(chosen.map((p) => p.loss)), perSeed: chosen.map((p) => p.loss) },
        tasks: Object.fromEntries(taskNames.map((t) => [t, mean(chosen.map((p) => p.tasks[t]?.value ?? NaN))])),
      });
    }
    const best = entries.reduce((a, b) => (b.loss.mean < a.loss.mean ? b : a), entries[0])?.method ?? '';
    return { fraction, params, entries, best };
  });
  // A baseline measured only above every budget (the original fine-tuned) has nothing to compare.
  const baselines = summaries.filter((s) => s.kind === 'baseline' && budgets.some((row) => row.entries.some((e) => e.method === s.method))).map((s) => s.method);
  const dominance = baselines.map((baseline) => {
    const wins: number[] = [];
    const losses: number[] = [];
    for (const row of budgets) {
      const m = row.entries.find((e) => e.method === primary);
      const b = row.entries.find((e) => e.method === baseline);
      if (!b) continue;
      if (m && m.loss.mean < b.loss.mean) wins.push(row.fraction);
      else losses.push(row.fraction);
    }
    return { baseline, wins, losses };
  });
  return { reference, points: [...points], methods: summaries, budgets, dominance };
}
