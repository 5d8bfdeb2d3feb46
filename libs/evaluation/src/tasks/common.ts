/**
 * @module tasks/common
 * What the built-in tasks share: the plugin shape, lm-eval's default delimiters and
 * sampler, and documents read from `<split>.jsonl` files once, on first use.
 */
import * as fs from 'node:fs';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { Fields, parseJsonl, splitFile } from '../documents';
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
 * evaluation split). A `data` option naming a file is the evaluation split alone.
 */
export function jsonlDocuments<D extends Located>(
  task: string,
  dataset: string,
  splits: { evaluation: string; fewshot?: string },
  where: { data?: string; dataDir?: string },
  parse: (fields: Fields) => D,
): () => TaskDocuments<D> {
  return once(() => {
    const file = splitFile(task, dataset, splits.evaluation, where);
    const documents: TaskDocuments<D> = { evaluation: { split: splits.evaluation, file, documents: parseJsonl(file, task, parse) } };
    const folderGiven = where.data === undefined || (fs.existsSync(where.data) && fs.statSync(where.data).isDirectory());
    if (splits.fewshot && folderGiven) {
      const fewshotFile = splitFile(task, dataset, splits.fewshot, where);
      if (fs.existsSync(fewshotFile)) documents.fewshot = { split: splits.fewshot, file: fewshotFile, documents: parseJsonl(fewshotFile, task, parse) };
    }
    return documents;
  });
}
