/**
 * @module optimizer-bench
 * `npm run bench:optimizer`: every strategy on the standard problems (ZDT1, ZDT2, DTLZ2),
 * over seeds 0 … N − 1, at the budgets and options of PROBLEM_RUNS: the final front's
 * hypervolume as a fraction of the optimal one, mean and minimum over the seeds. Random
 * search, which has no entry there, runs at its problem's largest budget.
 */
import { parseArgs } from 'node:util';
import { builtinStrategy, PROBLEM_RUNS, PROBLEMS, solve } from '@carve/optimizer';

/**
 * The strategies benchmarked, by plugin name. ParEGO is not among them: a Gaussian-process fit
 * per evaluation is for budgets of tens to hundreds, not these thousands (its own tests
 * compare it with random search at 60 evaluations).
 */
const STRATEGIES = ['random', 'nsga2', 'mo-rea', 'local-search'];

interface Row {
  problem: string;
  strategy: string;
  budget: number;
  options: string;
  fractions: number[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function main(): void {
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '5' } } });
  const seeds = Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer (got ${values.seeds})`);
  const rows: Row[] = [];
  for (const problem of PROBLEMS) {
    const runs = PROBLEM_RUNS.filter((r) => r.problem === problem.name);
    const largest = Math.max(...runs.map((r) => r.budget));
    for (const strategy of STRATEGIES) {
      const run = runs.find((r) => r.strategy === strategy) ?? { budget: largest, options: {} };
      const fractions = Array.from({ length: seeds }, (_, seed) => solve(problem, builtinStrategy(strategy, run.options), run.budget, seed).hypervolume() / problem.optimalHypervolume);
      rows.push({ problem: problem.name, strategy, budget: run.budget, options: JSON.stringify(run.options), fractions });
      console.error(`${problem.name} ${strategy}: done`);
    }
  }
  console.log(`| problem | strategy | options | budget | mean HV / optimal | min over ${seeds} seeds |`);
  console.log('|---|---|---|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.problem} | ${r.strategy} | \`${r.options}\` | ${r.budget.toLocaleString('en-US')} | ${mean(r.fractions).toFixed(3)} | ${Math.min(...r.fractions).toFixed(3)} |`);
  }
  const summary = STRATEGIES.map((s) => {
    const all = rows.filter((r) => r.strategy === s).flatMap((r) => r.fractions);
    return `${s} mean ${mean(all).toFixed(2)} (min ${Math.min(...all).toFixed(2)})`;
  });
  console.log(`\noptimizer-bench: ${summary.join(', ')} of optimal HV over ${PROBLEMS.length} problems × ${seeds} seeds`);
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
