/**
 * @module @carve/trainer
 * Super-network training: the training-step graph and the distillation losses.
 */
export { DISTILLATION_KINDS, distillationLoss } from './distillation';
export type { DistillationKind } from './distillation';
export { buildTrainingGraph } from './training-graph';
export type { DistillationOptions, TrainingGraph, TrainingGraphOptions } from './training-graph';
export { randomStrategy, sandwichKdStrategy, sandwichStrategy, standardStrategy, strategyPlugins } from './strategies';
export type { PlannedNetwork, StrategyContext, TrainingStrategy } from './strategies';
export { SuperNetworkStep } from './step';
export type { Batch, NetworkResult, StepSetup } from './step';
