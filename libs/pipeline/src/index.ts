/**
 * @module @carve/pipeline
 * The compression run: the run spec (one zod schema, JSON or YAML), and the stage graph with
 * completion markers, resume and invalidation.
 */
export { BUILT_IN_PLUGINS, createRegistry } from './plugins';
export { loadRunSpec, parseRunSpec, parseRunSpecText, runSpecSchema, SpecError, specHash } from '@carve/spec';
export type { RunSpec } from '@carve/spec';
export { fileSha256, MARKERS, planStages, runStages, stageOrder } from './stages';
export type { PlannedStage, RunStagesOptions, Stage, StageDecision, StageMarker } from './stages';
export { RUN_FILES, runReportData } from './report-data';
export { DEFAULT_IMPORTANCE_SEQ_LEN, ImportanceStepError, runImportanceStep } from './steps/importance';
export type { ImportanceFile, ImportanceHooks, ImportanceResult, ImportanceStepOptions } from './steps/importance';
export { compactJson, EXPORT_FORMATS, exportedFile, exportModels, MODELS_FOLDER, MODELS_INDEX, pickFrontMembers, replaceFolderAtomically, writeHfTokenizer, writeModels } from './steps/export';
export type { ExportedFile, ExportedModel, ExportFormat, ExportMember, ExportOptions, FrontPoint, ModelsIndex } from './steps/export';
export { BASELINES_FILE, runBaselines, subNetworkShare } from './steps/baselines';
export type { BaselineMethod, BaselineModel, BaselinesFile, BaselinesOptions, BaselineTarget, FineTuneSettings } from './steps/baselines';
export { EVALUATION_FILE, evaluateCheckpoint, evaluateModels, scoresOf, taskResults } from './steps/evaluate';
export type { CheckpointEvaluationOptions, EvaluateOptions, Evaluation, ModelEvaluation, TaskEvaluationOptions, TaskScore } from './steps/evaluate';
export { changedTrainSettings, checkTrainFiles, checkTrainSettings, createRunFolder, loadModelAndSpace, readTrainRun, resolveTrainDefaults, TRAIN_DATA_FORMATS, TRAIN_FILES, TRAIN_SETTING_NAMES, trainFolderIssue, TrainError, trainSettingsSchema, trainSuperNetwork } from './steps/train';
export type { ModelAndSpace, PreviousTrainRun, ResolvedTrainSettings, SettingLabel, TrainHooks, TrainRunRecord, TrainSettingName, TrainSettings, TrainStepOptions, TrainStepResult, ValidationLoss } from './steps/train';
export * from './steps/search';
export { compress, planCompress } from './compress/run';
export { exportRun } from './compress/export-run';
export { lockRunFolder, readRunLock, RUN_LOCK_FILE, RunLockedError, withRunLock } from './compress/run-lock';
export type { RunLock, RunLockHolder, RunLockOptions } from './compress/run-lock';
export type { ExportRunOptions } from './compress/export-run';
export type { CompressOptions, CompressResult } from './compress/run';
export { CompressError, EMBEDDED_MODEL, embeddedCorpus } from './compress/context';
export { packageVersions } from './versions';
