/**
 * @module @carve/optimizer
 * Multi-objective search: Pareto dominance, non-dominated sorting, crowding distance and
 * hypervolume; the ask/tell optimizer with its domains and its strategies (random, NSGA-II,
 * multi-objective regularized evolution, Pareto local search, ParEGO); the standard test problems.
 */
export { constrainedDominates, constrainedSort, crowdingDistance, dominates, nonDominatedSort, paretoFront } from './pareto';
export { hypervolume, hypervolumeEstimate } from './hypervolume';
export type { Domain, Evaluated, Strategy, StrategyContext } from './strategy';
export { continuousDomain, subNetworkDomain } from './domains';
export type { ContinuousDomainOptions } from './domains';
export { Optimizer, OptimizerError, referenceFromAnchors } from './optimizer';
export type { Constraint, Details, Direction, Objective, OptimizerOptions, RecordedTrial, SearchState, Trial } from './optimizer';
export { polynomialMutation, sbx } from './variation';
export type { MutationOptions, SbxOptions } from './variation';
export { localSearch } from './strategies/local-search';
export type { LocalSearchOptions } from './strategies/local-search';
export { moRea } from './strategies/mo-rea';
export type { MoReaOptions } from './strategies/mo-rea';
export { nsga2 } from './strategies/nsga2';
export type { Nsga2Options } from './strategies/nsga2';
export { randomStrategy } from './strategies/random';
export { paregoStrategy } from './strategies/parego';
export type { ParegoOptions } from './strategies/parego';
export { builtinStrategy, optimizerPlugins } from './plugins';
export { dtlz2, PROBLEM_RUNS, PROBLEMS, solve, zdt1, zdt2 } from './problems';
export type { Problem, ProblemRun } from './problems';
