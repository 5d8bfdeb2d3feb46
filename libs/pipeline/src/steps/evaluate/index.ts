/**
 * @module steps/evaluate
 * The evaluation step: exported models measured from their files.
 */
export { EVALUATION_FILE, evaluateModels } from './evaluate-models';
export type { EvaluateOptions, Evaluation, ModelEvaluation, TaskEvaluationOptions, TaskScore } from './evaluate-models';
