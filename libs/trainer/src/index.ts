/**
 * @module @carve/trainer
 * Super-network training: the training-step graph, distillation losses, strategies, the
 * step and the loop with checkpoints and resume, and the training data pipeline.
 */
export { DISTILLATION_KINDS, distillationLoss } from './distillation';
export type { DistillationKind } from './distillation';
export { buildTrainingGraph } from './training-graph';
export type { DistillationOptions, TrainingGraph, TrainingGraphOptions } from './training-graph';
export { randomStrategy, sandwichKdStrategy, sandwichStrategy, standardStrategy, strategyPlugins } from './strategies';
export type { PlannedNetwork, StrategyContext, TrainingStrategy } from './strategies';
export { SuperNetworkStep } from './step';
export type { Batch, NetworkResult, StepSetup } from './step';
export { DataLoader } from './data/data-loader';
export type { DataLoaderState, TrainingBatch } from './data/data-loader';
export { DataError } from './data/data-error';
export type { DataErrorCode } from './data/data-error';
export { ALPACA_TEMPLATE } from './data/sources';
export type { AlpacaSource, AlpacaTemplate, DataFileRecord, DataSource, JsonlSource, TextSource } from './data/sources';
export { buildTrainingData } from './data/training-data';
export type { PackedSplit, SplitRecord, TrainingData, TrainingDataOptions, TrainingDataRecord } from './data/training-data';
export { SuperNetworkTrainer } from './trainer';
export { fineTune } from './fine-tune';
export type { FineTuneOptions, FineTuneResult } from './fine-tune';
export type { BatchSource, StepMetrics, TrainerOptions } from './trainer';
