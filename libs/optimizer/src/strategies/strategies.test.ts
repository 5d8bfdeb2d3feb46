/**
 * The proof that the strategies search: on each standard problem, with the budget and
 * options of PROBLEM_RUNS and a fixed seed, the final front's hypervolume reaches 95% of the
 * optimal one and beats random search.
 */
import { builtinStrategy } from '../plugins';
import { PROBLEM_RUNS, PROBLEMS, solve } from '../problems';

const SEED = 0;
const TARGET = 0.95;

describe.each(PROBLEMS)('$name', (problem) => {
  const runs = PROBLEM_RUNS.filter((r) => r.problem === problem.name);
  const largest = Math.max(...runs.map((r) => r.budget));
  // Random search's trials at a smaller budget are a prefix of these, so beating random at
  // the largest budget beats it at every smaller one.
  const random = solve(problem, builtinStrategy('random'), largest, SEED).hypervolume() / problem.optimalHypervolume;

  test.each(runs)('$strategy reaches the target in $budget evaluations and beats random search', ({ strategy: name, budget, options }) => {
    const fraction = solve(problem, builtinStrategy(name, options), budget, SEED).hypervolume() / problem.optimalHypervolume;
    expect(fraction).toBeGreaterThanOrEqual(TARGET);
    expect(fraction).toBeGreaterThan(random);
  });
});
