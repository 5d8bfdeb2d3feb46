/**
 * @module @carve/evaluation
 * Downstream task evaluation in lm-eval-harness's conventions: tasks as plugins, few-shot
 * prompts drawn as lm-eval draws them, batched log-likelihood scoring, and acc, acc_norm
 * and perplexity with standard errors.
 */
export type { ContinuationTask, Located, MetricName, MultipleChoiceTask, PartialScoringTask, Task, TaskContext, TaskDocuments, TaskGroup, TaskOrGroup } from './task';
export { isTaskGroup } from './task';
export { Fields, parseJsonl, readJsonl, readTaskFile, splitFile, TaskDataError } from './documents';
export type { JsonRecord } from './documents';
export { ModelScorer } from './scorer';
export type { LogLikelihood, LogLikelihoodRequest, ModelScorerOptions, Scorer } from './scorer';
export { argmax, choiceMetrics, higherIsBetter, meanWithStderr, perplexity, pooled } from './metrics';
export type { MetricValue } from './metrics';
export { buildRequests, DEFAULT_FEWSHOT_SEED, FewShotError } from './prompts';
export type { DocumentRequests, PromptRecord, PromptSettings } from './prompts';
export { evaluateTask } from './evaluate';
export type { DocumentScore, EvaluateSettings, TaskResult } from './evaluate';
export { PythonRandom } from './python-random';
export { dataOption, indexField, jsonlDocuments, LM_EVAL_DEFAULTS, once, pythonStrip, taskPlugin } from './tasks/common';
export type { ArcDocument } from './tasks/arc';
export type { BoolqDocument } from './tasks/boolq';
export { HELLASWAG_TEXT_FILE, preprocessHellaswag, readHellaswagText } from './tasks/hellaswag';
export type { HellaswagDocument } from './tasks/hellaswag';
export type { LambadaDocument } from './tasks/lambada';
export { MMLU_SUBJECTS } from './tasks/mmlu';
export type { MmluDocument } from './tasks/mmlu';
export type { PiqaDocument } from './tasks/piqa';
export { readPassages } from './tasks/text';
export type { ClozeDocument, EndingDocument } from './tasks/text';
export type { WinograndeDocument } from './tasks/winogrande';
export {
  arcChallengeTask,
  arcEasyTask,
  boolqTask,
  hellaswagTask,
  lambadaOpenaiTask,
  mmluTask,
  piqaTask,
  taskPlugins,
  textClozeTask,
  textEndingTask,
  winograndeTask,
} from './plugins';
