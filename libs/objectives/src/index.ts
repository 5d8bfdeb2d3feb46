/**
 * @module @carve/objectives
 * Objectives of the multi-objective search: parameters, FLOPs, weight magnitude, held-out
 * loss, perplexity and KL from the full network, downstream task accuracy, and latency.
 */
export { measure, ObjectiveContextError } from './objective';
export type { Measurement, Objective, ObjectiveContext } from './objective';
export { ValidationEvaluator } from './validation';
export type { ValidationSettings } from './validation';
export { flopsObjective, klObjective, magnitudeObjective, objectivePlugins, paramsObjective, perplexityObjective, valLossObjective } from './plugins';
export { taskAccuracyObjective } from './task-accuracy';
export * from './latency';
