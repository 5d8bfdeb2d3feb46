/**
 * @module task
 * The task contract, in lm-eval-harness's terms: a task reads its documents, turns each into
 * a prompt (doc_to_text), choices (doc_to_choice) and a target (doc_to_target), and says how
 * few-shot examples are drawn and joined. The evaluator builds the log-likelihood requests
 * from these and computes the metrics, so a task holds no scoring code.
 */

/** The metrics a task can report. */
export type MetricName = 'acc' | 'acc_norm' | 'perplexity';

/** Where a document came from, for error messages: `file:line`. */
export interface Located {
  readonly where: string;
}

/** What every task has, whatever its output type. `D` is the task's own parsed document. */
interface TaskBase<D extends Located> {
  /** The name results are reported under (`hellaswag`, `mmlu_anatomy`). */
  readonly name: string;
  /** The version of the task's prompt and scoring: results of different versions do not compare. */
  readonly version: string;
  /** The metrics reported, and the one that search objectives and tables show first. */
  readonly metrics: readonly MetricName[];
  readonly primaryMetric: MetricName;
  /** Few-shot examples when the evaluation asks for none in particular (lm-eval's num_fewshot). */
  readonly defaultShots: number;
  /**
   * How few-shot examples are picked: 'random' draws them with Python's random.sample from a
   * generator seeded once per task (lm-eval's default sampler); 'first_n' takes the first
   * documents of the few-shot split (what lm-eval's MMLU uses).
   */
  readonly fewshotSampler: 'random' | 'first_n';
  /** Between the prompt and the answer: lm-eval's target_delimiter. @default ' ' */
  readonly targetDelimiter: string;
  /** Between few-shot examples, and after the last one: lm-eval's fewshot_delimiter. @default '\n\n' */
  readonly fewshotDelimiter: string;
  /** Text before the few-shot examples (lm-eval's description), per document. */
  preamble?(doc: D): string;
  /**
   * The documents, read and checked. `evaluation` is the split scored; `fewshot` the split
   * examples come from, absent when the task has none (then they are drawn from the
   * evaluation split, never the document itself, as lm-eval does).
   */
  load(): TaskDocuments<D>;
}

/** A task's documents, with the names of the splits they came from. */
export interface TaskDocuments<D> {
  evaluation: { split: string; file: string; documents: readonly D[] };
  fewshot?: { split: string; file: string; documents: readonly D[] };
}

/** One prompt, several answers: the answer most likely after the prompt is the prediction. */
export interface MultipleChoiceTask<D extends Located = Located> extends TaskBase<D> {
  readonly outputType: 'multiple_choice';
  text(doc: D): string;
  choices(doc: D): readonly string[];
  /** The index of the right choice. */
  gold(doc: D): number;
}

/**
 * Several prompts, one continuation (lm-eval's multiple inputs, winogrande's partial
 * scoring): each option fills the blank of the prompt, and the shared rest of the sentence
 * is scored after each.
 */
export interface PartialScoringTask<D extends Located = Located> extends TaskBase<D> {
  readonly outputType: 'multiple_input';
  contexts(doc: D): readonly string[];
  continuation(doc: D): string;
  gold(doc: D): number;
}

/** One prompt and one continuation (lambada): its log-likelihood and whether greedy decoding produces it. */
export interface ContinuationTask<D extends Located = Located> extends TaskBase<D> {
  readonly outputType: 'loglikelihood';
  text(doc: D): string;
  continuation(doc: D): string;
}

export type Task<D extends Located = Located> = MultipleChoiceTask<D> | PartialScoringTask<D> | ContinuationTask<D>;

/** Tasks reported together as well as one by one (MMLU's subjects), each metric averaged over all their documents. */
export interface TaskGroup {
  readonly name: string;
  readonly version: string;
  readonly tasks: readonly Task[];
}

/** What a task plugin's `create` returns. */
export type TaskOrGroup = Task | TaskGroup;

export const isTaskGroup = (t: TaskOrGroup): t is TaskGroup => 'tasks' in t;

/** What task plugins are created with: where to find data their options do not name. */
export interface TaskContext {
  /** A folder holding task data, `<dataDir>/<dataset>/<split>.jsonl` (and the HellaSwag text file). */
  dataDir?: string;
  /** A text file for the tasks built from plain text, when their options name none (a run's held-out text). */
  text?: string;
}
