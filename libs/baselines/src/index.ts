/**
 * @module @carve/baselines
 * Structured-pruning baselines for the searched front to beat: width pruning by activation
 * statistics or weight magnitude, depth pruning by block importance, and FLAP's
 * retraining-free pruning with bias compensation. Each is a plugin of kind 'baseline'.
 */
export { BaselineError, requireCalibration } from './baseline';
export type { BaselineContext, PrunedModel, PruningBaseline } from './baseline';
export { keptUnits, retargetLayers, sliceByOrders } from './slice';
export { activationWidthPlugin, magnitudeWidthPlugin } from './width';
export { blockDepthPlugin, depthWithin, keepLayers } from './depth';
export { flapBaseline, flapPlugin, flapStructure, fluctuationScores } from './flap';
export type { FlapOptions, FlapStructure, FluctuationScores } from './flap';
export { FeatureMoments, projectionInputStatistics } from './statistics';
export type { ProjectionInputStatistics, ProjectionStatisticsOptions } from './statistics';
export { baselinePlugins } from './plugins';
