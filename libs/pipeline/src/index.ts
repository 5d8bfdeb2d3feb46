/**
 * @module @carve/pipeline
 * The compression run: the run spec (one zod schema, JSON or YAML), and the stage graph with
 * completion markers, resume and invalidation.
 */
export { loadRunSpec, parseRunSpec, runSpecSchema, SpecError } from './spec';
export type { RunSpec } from './spec';
export { fileSha256, MARKERS, planStages, runStages, stageOrder } from './stages';
export type { PlannedStage, RunStagesOptions, Stage, StageDecision, StageMarker } from './stages';
