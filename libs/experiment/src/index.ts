/**
 * @module @carve/experiment
 * Experiments that say whether the method wins: arms of the method and its baselines run over
 * seeds as compression runs, analysed into budget tables, dominance, hypervolumes and figures.
 */
export { ExperimentError, mergeSpec } from './definition';
export type { Arm, ExperimentDefinition, SpecPatch } from './definition';
export { paperExperiment } from './experiments/paper';
export { EXPERIMENTS, getExperiment } from './experiments';
export { analyse } from './results';
export type { BudgetEntry, BudgetRow, ExperimentResults, MethodSummary, Reference, ResultPoint } from './results';
export { armSpec, CATALOG, chooseArms, collectPoints, runArms, runExperiment } from './run-experiment';
export type { ArmRun, ExperimentOptions } from './run-experiment';
export { RESULTS_FILES, resultsMarkdown, writeResults } from './write-results';
export type { ResultsInfo } from './write-results';
