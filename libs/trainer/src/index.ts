/**
 * @module @carve/trainer
 * Super-network training: the training-step graph and the distillation losses.
 */
export { DISTILLATION_KINDS, distillationLoss } from './distillation';
export type { DistillationKind } from './distillation';
export { buildTrainingGraph } from './training-graph';
export type { DistillationOptions, TrainingGraph, TrainingGraphOptions } from './training-graph';
