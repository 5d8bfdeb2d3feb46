/**
 * @module steps/importance
 * The importance step: scores, orders and the permuted model, written as one folder.
 */
export { DEFAULT_IMPORTANCE_SEQ_LEN, ImportanceStepError, runImportanceStep } from './run';
export type { ImportanceFile, ImportanceHooks, ImportanceResult, ImportanceStepOptions } from './run';
