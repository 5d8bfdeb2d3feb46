/**
 * @module @carve/importance
 * Importance sorting: calibration sets, activation statistics or weight magnitudes, scores
 * for heads, neurons, channels and layers, the orders they give, and the function-preserving
 * permutation.
 */
export { buildCalibrationSet, CalibrationError } from './calibration';
export type { CalibrationOptions, CalibrationRecord, CalibrationSet } from './calibration';
export { descendingOrder, Moments, STATISTICS } from './statistics';
export type { Statistic } from './statistics';
export { scoreImportance, ScoringError } from './scoring';
export type { ImportanceLayerScoring, ImportanceScores, ImportanceStatistic, LayerScoring, ScoringOptions } from './scoring';
export { MAGNITUDE_NORMS, scoreMagnitude } from './magnitude';
export type { MagnitudeNorm, MagnitudeOptions } from './magnitude';
export { importanceOrders } from './orders';
export type { HeadOrder, ImportanceOrders, OrderScope } from './orders';
export { permuteAxis, permuteModel } from './permute';
export { activationScorer, bindScorer, getScorer, magnitudeScorer, SCORERS } from './scorer';
export type { BuiltinImportanceScorer, ImportanceScorer } from './scorer';
export { activationImportancePlugin, importancePlugins, magnitudeImportancePlugin } from './plugins';
