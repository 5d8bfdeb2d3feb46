/**
 * @module steps/evaluate
 * The evaluation step: exported models measured from their files, and any model in memory
 * measured the same way.
 */
export { EVALUATION_FILE, evaluateCheckpoint, evaluateModels, scoresOf, taskResults } from './evaluate-models';
export type { CheckpointEvaluationOptions, EvaluateOptions, Evaluation, ModelEvaluation, TaskEvaluationOptions, TaskScore } from './evaluate-models';
