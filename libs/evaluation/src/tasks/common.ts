/**
 * @module tasks/common
 * What the built-in tasks share: the plugin shape, lm-eval's default delimiters and
 * sampler, documents read from `<split>.jsonl` files once, on first use, checked indices,
 * and Python's str.strip as lm-eval's templates apply it.
 */
import * as fs from 'node:fs';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { Fields, JsonRecord, readJsonl, splitFile } from '../documents';
import { Located, TaskContext, TaskDocuments, TaskOrGroup } from '../task';

/** The option every data-reading task has: its file, or its folder of `<split>.jsonl` files. */
export const dataOption = z.string().min(1).optional().describe('a JSONL file of the evaluation split, or a folder of <split>.jsonl files');

/** A task plugin of the built-in kind and version scheme. */
export const taskPlugin = <O extends z.ZodType>(name: string, version: string, description: string, options: O, create: (o: z.output<O>, ctx: TaskContext) => TaskOrGroup) =>
  definePlugin({ kind: 'task', name, version, apiVersion: PLUGIN_API_VERSION, description, options, create });

/** lm-eval's defaults: a space before the answer, a blank line between examples, random examples. */
export const LM_EVAL_DEFAULTS = { targetDelimiter: ' ', fewshotDelimiter: '\n\n', fewshotSampler: 'random' } as const;

/** `load` computed on first call and kept: objectives score many sub-networks on the same documents. */
export function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

/**
 * Documents of a dataset stored as `<split>.jsonl` files: the evaluation split must exist;
 * the few-shot split is used when its file is there (else examples come from the
 * evaluation split). A `data` option naming a file is the evaluation split alone. `parse`
 * also gets the raw record, for a layout whose fields vary (boolq's label or answer).
 */
export function jsonlDocuments<D extends Located>(
  task: string,
  dataset: string,
  splits: { evaluation: string; fewshot?: string },
  where: { data?: string; dataDir?: string },
  parse: (fields: Fields, record: JsonRecord) => D,
): () => TaskDocuments<D> {
  const read = (file: string) => readJsonl(file, task).map((record) => parse(new Fields(record, task), record));
  return once(() => {
    const file = splitFile(task, dataset, splits.evaluation, where);
    const documents: TaskDocuments<D> = { evaluation: { split: splits.evaluation, file, documents: read(file) } };
    const folderGiven = where.data === undefined || (fs.existsSync(where.data) && fs.statSync(where.data).isDirectory());
    if (splits.fewshot && folderGiven) {
      const fewshotFile = splitFile(task, dataset, splits.fewshot, where);
      if (fs.existsSync(fewshotFile)) documents.fewshot = { split: splits.fewshot, file: fewshotFile, documents: read(fewshotFile) };
    }
    return documents;
  });
}

/** An integer field that indexes one of `count` things (a label, an answer), else an error naming it. */
export function indexField(f: Fields, name: string, count: number, things: string): number {
  const i = f.integer(name);
  if (i < 0 || i >= count) throw f.fail(`field '${name}' is ${i}, not the index of one of its ${count} ${things} (0 to ${count - 1})`);
  return i;
}

/** Python's whitespace (str.isspace): JavaScript's (String.trim) less U+FEFF, plus U+001C-U+001F and U+0085. */
const PY_SPACE = new Set('\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000');

/** Python's str.strip(), which lm-eval's templates call (`{{question.strip()}}`). */
export function pythonStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_SPACE.has(s[start])) start++;
  while (end > start && PY_SPACE.has(s[end - 1])) end--;
  return s.slice(start, end);
}
