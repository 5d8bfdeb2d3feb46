/**
 * @module steps/search
 * The search step: a resumable multi-objective search over a super-network's sub-networks,
 * its files, and how its trials and front are written and shown.
 */
export { SearchStepError } from './errors';
export type { SearchInputs, SearchValidation } from './inputs';
export { changedSearchSettings, changedSearchSettingsMessage, FRONT_JSON, readSearchRecord, SEARCH_RESUME_MAY_CHANGE, SEARCH_JSON, TRIALS_JSON } from './record';
export type { SearchRecord, SearchStepSettings } from './record';
export { remeasureFront } from './remeasure';
export type { RemeasureHook } from './remeasure';
export { describeSubNetwork, formatValue, frontTable, trialRecord } from './report';
export type { TrialRecord } from './report';
export { runSearchStep } from './step';
export type { SearchStepHooks, SearchStepOptions, SearchStepResult } from './step';
export { applyTrained } from './trained';
export type { Trained } from './trained';
