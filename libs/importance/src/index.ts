/**
 * @module @carve/importance
 * Importance sorting: calibration sets, activation statistics, scores for heads, neurons,
 * channels and layers, the orders they give, and the function-preserving permutation.
 */
export { buildCalibrationSet, CalibrationError } from './calibration';
export type { CalibrationOptions, CalibrationRecord, CalibrationSet } from './calibration';
export { descendingOrder, Moments, STATISTICS } from './statistics';
export type { Statistic } from './statistics';
export { scoreImportance, ScoringError } from './scoring';
export type { ImportanceScores, LayerScoring, ScoringOptions } from './scoring';
export { importanceOrders } from './orders';
export type { HeadOrder, ImportanceOrders, OrderScope } from './orders';
export { permuteAxis, permuteModel } from './permute';
export { activationScorer, getScorer, SCORERS } from './scorer';
export type { ImportanceScorer } from './scorer';
export { activationImportancePlugin, importancePlugins } from './plugins';
