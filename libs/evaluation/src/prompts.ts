/**
 * @module prompts
 * From a task's documents to log-likelihood requests, as lm-eval builds them: the preamble,
 * the few-shot examples (each its prompt, the target delimiter and its answer) joined and
 * followed by the few-shot delimiter, then the document's prompt; one request per choice.
 */
import { PythonRandom } from './python-random';
import { TaskDataError } from './documents';
import { LogLikelihoodRequest } from './scorer';
import { Located, Task, TaskDocuments } from './task';

/** lm-eval's default few-shot seed, so the same examples are drawn as there. */
export const DEFAULT_FEWSHOT_SEED = 1234;

export interface PromptSettings {
  /** Few-shot examples per document. @default the task's defaultShots */
  shots?: number;
  /** Seed of the few-shot draw. @default 1234 (lm-eval's) */
  seed?: number;
  /** Only the first `limit` documents of the evaluation split (lm-eval's --limit). */
  limit?: number;
}

/** One document's requests, in the order of its choices (or its one continuation). */
export interface DocumentRequests<D extends Located = Located> {
  doc: D;
  requests: LogLikelihoodRequest[];
}

/** What the prompts were built from, recorded with the results. */
export interface PromptRecord {
  shots: number;
  seed: number;
  limit: number | null;
  /** The split scored, and the split few-shot examples came from ('none' without examples). */
  evaluationSplit: string;
  fewshotSplit: string;
  fewshotSampler: 'random' | 'first_n';
  files: string[];
}

/** The requests of every document of `task` that is scored, and how they were built. */
export function buildRequests<D extends Located>(task: Task<D>, settings: PromptSettings = {}): { documents: DocumentRequests<D>[]; record: PromptRecord } {
  const shots = settings.shots ?? task.defaultShots;
  const seed = settings.seed ?? DEFAULT_FEWSHOT_SEED;
  if (!Number.isInteger(shots) || shots < 0) throw new RangeError(`shots must be a non-negative integer, got ${shots}`);
  if (settings.limit !== undefined && (!Number.isInteger(settings.limit) || settings.limit < 1)) throw new RangeError(`limit must be a positive integer, got ${settings.limit}`);
  const loaded = task.load();
  const scored = settings.limit === undefined ? loaded.evaluation.documents : loaded.evaluation.documents.slice(0, settings.limit);
  const examples = fewshotExamples(task, loaded, shots, seed);
  const documents = scored.map((doc) => {
    const chosen = examples(doc);
    const prefix = (task.preamble?.(doc) ?? '') + (chosen.length ? chosen.map((e) => exampleText(task, e)).join(task.fewshotDelimiter) + task.fewshotDelimiter : '');
    return { doc, requests: requestsOf(task, doc, prefix) };
  });
  const fromSplit = loaded.fewshot ?? loaded.evaluation;
  return {
    documents,
    record: {
      shots,
      seed,
      limit: settings.limit ?? null,
      evaluationSplit: loaded.evaluation.split,
      fewshotSplit: shots === 0 ? 'none' : fromSplit.split,
      fewshotSampler: task.fewshotSampler,
      files: [...new Set([loaded.evaluation.file, ...(shots && loaded.fewshot ? [loaded.fewshot.file] : [])])],
    },
  };
}

/**
 * More few-shot examples asked for than a task's data holds: the user's to fix (fewer shots, or
 * more documents), so a UserError, which `carve eval` reports as a problem of --shots.
 */
export class FewShotError extends TaskDataError {}

/**
 * The examples for each document in turn. One generator serves the whole task, in document
 * order, as lm-eval's sampler does; drawn from the evaluation split itself, one extra is
 * drawn so the document can be left out.
 */
function fewshotExamples<D extends Located>(task: Task<D>, loaded: TaskDocuments<D>, shots: number, seed: number): (doc: D) => readonly D[] {
  if (shots === 0) return () => [];
  const own = loaded.fewshot === undefined;
  const pool = (loaded.fewshot ?? loaded.evaluation).documents;
  const needed = own ? shots + 1 : shots;
  if (pool.length < needed) throw new FewShotError(`task '${task.name}': ${shots} few-shot examples asked for, but its ${own ? 'evaluation' : 'few-shot'} split has ${pool.length} documents (${(loaded.fewshot ?? loaded.evaluation).file}${own ? '; a document is never its own example' : ''})`);
  if (task.fewshotSampler === 'first_n') return (doc) => pool.slice(0, needed).filter((d) => d !== doc).slice(0, shots);
  const rng = new PythonRandom(seed);
  return (doc) => rng.sample(pool, needed).filter((d) => d !== doc).slice(0, shots);
}

/** A solved example: its prompt, the target delimiter, its right answer. */
function exampleText<D extends Located>(task: Task<D>, doc: D): string {
  switch (task.outputType) {
    case 'multiple_choice':
      return task.text(doc) + task.targetDelimiter + task.choices(doc)[task.gold(doc)];
    case 'multiple_input':
      return task.contexts(doc)[task.gold(doc)] + task.targetDelimiter + task.continuation(doc);
    case 'loglikelihood':
      return task.text(doc) + task.targetDelimiter + task.continuation(doc);
  }
}

function requestsOf<D extends Located>(task: Task<D>, doc: D, prefix: string): LogLikelihoodRequest[] {
  switch (task.outputType) {
    case 'multiple_choice': {
      const context = prefix + task.text(doc);
      return task.choices(doc).map((choice) => ({ context, continuation: task.targetDelimiter + choice }));
    }
    case 'multiple_input': {
      const continuation = task.targetDelimiter + task.continuation(doc);
      return task.contexts(doc).map((context) => ({ context: prefix + context, continuation }));
    }
    case 'loglikelihood':
      return [{ context: prefix + task.text(doc), continuation: task.targetDelimiter + task.continuation(doc) }];
  }
}
