/**
 * @module evaluate
 * Scoring tasks: every request of a task goes to the scorer in one call (which batches
 * them), then each document's metrics are computed from its log-likelihoods and aggregated.
 */
import { choiceMetrics, meanWithStderr, MetricValue, perplexity, pooled } from './metrics';
import { buildRequests, PromptRecord, PromptSettings } from './prompts';
import { Scorer } from './scorer';
import { isTaskGroup, Located, MetricName, Task, TaskOrGroup } from './task';

/** One scored document, for `samples` (lm-eval's --log_samples). */
export interface DocumentScore {
  where: string;
  logLikelihoods: number[];
  /** The right choice (multiple choice), or whether greedy decoding gives the continuation. */
  gold?: number;
  greedy?: boolean;
  metrics: Partial<Record<MetricName, number>>;
}

export interface TaskResult {
  task: string;
  version: string;
  outputType: Task['outputType'] | 'group';
  /** Documents scored (for a group, over its tasks). */
  documents: number;
  metrics: Partial<Record<MetricName, MetricValue>>;
  primaryMetric: MetricName;
  /** How the prompts were built (for a group, each task's own `prompts`). */
  prompts?: PromptRecord;
  subtasks?: TaskResult[];
  samples?: DocumentScore[];
}

export interface EvaluateSettings extends PromptSettings {
  /** Keep every document's log-likelihoods and metrics in `samples`. */
  samples?: boolean;
  /** Called as requests are scored. */
  onProgress?: (task: string, done: number, total: number) => void;
}

/** Scores one task (or each task of a group, then the group). */
export async function evaluateTask(task: TaskOrGroup, scorer: Scorer, settings: EvaluateSettings = {}): Promise<TaskResult> {
  if (!isTaskGroup(task)) return evaluateOne(task, scorer, settings);
  const subtasks: TaskResult[] = [];
  for (const t of task.tasks) subtasks.push(await evaluateOne(t, scorer, settings));
  const shared = subtasks[0].metrics;
  const metrics: TaskResult['metrics'] = {};
  for (const name of Object.keys(shared) as MetricName[]) {
    if (subtasks.every((s) => s.metrics[name])) metrics[name] = pooled(subtasks.map((s) => ({ metric: s.metrics[name]!, size: s.documents })));
  }
  return {
    task: task.name,
    version: task.version,
    outputType: 'group',
    documents: subtasks.reduce((a, s) => a + s.documents, 0),
    metrics,
    primaryMetric: subtasks[0].primaryMetric,
    subtasks,
  };
}

async function evaluateOne<D extends Located>(task: Task<D>, scorer: Scorer, settings: EvaluateSettings): Promise<TaskResult> {
  const { documents, record } = buildRequests(task, settings);
  const scores = await scorer.score(
    documents.flatMap((d) => d.requests),
    settings.onProgress && ((done, total) => settings.onProgress!(task.name, done, total)),
  );
  let next = 0;
  const samples: DocumentScore[] = documents.map(({ doc, requests }) => {
    const own = scores.slice(next, (next += requests.length));
    const logLikelihoods = own.map((s) => s.logLikelihood);
    switch (task.outputType) {
      case 'multiple_choice': {
        const gold = task.gold(doc);
        return { where: doc.where, logLikelihoods, gold, metrics: choiceMetrics(logLikelihoods, task.choices(doc), gold) };
      }
      case 'multiple_input': {
        // lm-eval normalizes partial scoring by the length of each filled-in context.
        const gold = task.gold(doc);
        return { where: doc.where, logLikelihoods, gold, metrics: choiceMetrics(logLikelihoods, task.contexts(doc), gold) };
      }
      case 'loglikelihood':
        return { where: doc.where, logLikelihoods, greedy: own[0].greedy, metrics: { acc: own[0].greedy ? 1 : 0, perplexity: logLikelihoods[0] } };
    }
  });
  const metrics: TaskResult['metrics'] = {};
  for (const name of task.metrics) {
    const values = samples.map((s) => s.metrics[name]!);
    metrics[name] = name === 'perplexity' ? perplexity(values) : meanWithStderr(values);
  }
  return {
    task: task.name,
    version: task.version,
    outputType: task.outputType,
    documents: samples.length,
    metrics,
    primaryMetric: task.primaryMetric,
    prompts: record,
    ...(settings.samples ? { samples } : {}),
  };
}
