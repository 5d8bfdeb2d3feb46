/**
 * @module testing
 * What the task tests share: task data written to a temporary folder, tasks created through
 * the registry (so every test also goes through a plugin's options and `create`), a
 * stand-in scorer that answers the log-likelihoods a test chooses, and the TaskDataError a
 * call throws.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PluginRegistry } from '@carve/registry';
import { TaskDataError } from '../documents';
import { taskPlugins } from '../plugins';
import { buildRequests, PromptSettings } from '../prompts';
import { LogLikelihood, LogLikelihoodRequest, Scorer } from '../scorer';
import { Task, TaskContext, TaskOrGroup } from '../task';

/** A temporary folder of task data; `remove` it after the tests. */
export class Fixture {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-evaluation-'));

  /** `content` written at `relative` (its folders made); the file's path. */
  file(relative: string, content: string): string {
    const file = path.join(this.dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  }

  /** `rows` written as JSONL, one JSON object a line; the file's path. */
  jsonl(relative: string, rows: readonly unknown[]): string {
    return this.file(relative, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const registry = new PluginRegistry();
registry.register(taskPlugins);

/** The task (or group) plugin `plugin` creates from `options` in `context`, through the registry. */
export function createTask<T extends TaskOrGroup = Task>(plugin: string, options: object = {}, context: TaskContext = {}): T {
  return registry.create<T>('task', plugin, options, context);
}

/** Each scored document's requests as [context, continuation] pairs. */
export function prompts(task: Task, settings: PromptSettings = {}): [string, string][][] {
  return buildRequests(task, settings).documents.map((d) => d.requests.map((r) => [r.context, r.continuation]));
}

/** What the stand-in answers for a request: its log-likelihood, and whether greedy decoding produces it (false unless said). */
export type StandInAnswer = number | { logLikelihood: number; greedy: boolean };

/** A Scorer answering with the test's own numbers; it keeps the requests it was given. */
export class StandInScorer implements Scorer {
  readonly settings = { scorer: 'stand-in' };
  readonly seen: LogLikelihoodRequest[] = [];

  constructor(private readonly answer: (request: LogLikelihoodRequest) => StandInAnswer) {}

  async score(requests: readonly LogLikelihoodRequest[]): Promise<LogLikelihood[]> {
    this.seen.push(...requests);
    return requests.map((r) => {
      const a = this.answer(r);
      return typeof a === 'number' ? { logLikelihood: a, greedy: false, tokens: 1 } : { ...a, tokens: 1 };
    });
  }
}

/** A stand-in answering from a table by continuation; a continuation the table lacks fails the test. */
export function byContinuation(table: Record<string, StandInAnswer>): StandInScorer {
  return new StandInScorer((r) => {
    const a = table[r.continuation];
    if (a === undefined) throw new Error(`the stand-in scorer has no answer for the continuation ${JSON.stringify(r.continuation)}`);
    return a;
  });
}

/** The TaskDataError `fn` throws (a test fails if it throws nothing, or something else). */
export function taskDataError(fn: () => unknown): TaskDataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TaskDataError) return e;
    throw e;
  }
  throw new Error('expected a TaskDataError, but nothing was thrown');
}
