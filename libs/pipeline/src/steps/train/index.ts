/**
 * @module steps/train
 * The training step: super-network training in a run folder that a later call resumes, the
 * settings and their checks, and what a caller needs to check a folder before training in it.
 */
export { checkTrainFiles, checkTrainSettings } from './check';
export { TrainError } from './errors';
export type { ValidationLoss } from './evaluate';
export { loadModelAndSpace } from './model-space';
export type { ModelAndSpace } from './model-space';
export { createRunFolder, readTrainRun, TRAIN_FILES, trainFolderIssue } from './run-folder';
export type { PreviousTrainRun, TrainRunRecord } from './run-folder';
export { changedTrainSettings, resolveTrainDefaults, TRAIN_DATA_FORMATS, TRAIN_SETTING_NAMES, trainSettingsSchema } from './settings';
export type { ResolvedTrainSettings, SettingLabel, TrainSettingName, TrainSettings } from './settings';
export { trainSuperNetwork } from './train';
export type { TrainHooks, TrainStepOptions, TrainStepResult } from './train';
