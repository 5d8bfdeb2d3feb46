/**
 * @module @carve/objectives
 * Objectives of the multi-objective search.
 */
export type { Objective, ObjectiveContext } from './objective';
export { flopsObjective, objectivePlugins, paramsObjective } from './plugins';
