/**
 * @module tasks/hellaswag
 * HellaSwag (Zellers et al. 2019) as lm-eval's `hellaswag`: the activity label and context
 * as the prompt, four endings, acc and acc_norm. It reads the Hugging Face layout
 * (`Rowan/hellaswag` JSONL: activity_label, ctx_a, ctx_b, endings, label) preprocessed as
 * lm-eval does, or the 6-line text layout of the shared assets, already preprocessed.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { z } from 'zod';
import { Fields, readTaskFile, TaskDataError } from '../documents';
import { MultipleChoiceTask, TaskContext, TaskDocuments } from '../task';
import { dataOption, jsonlDocuments, LM_EVAL_DEFAULTS, once, pythonStrip, taskPlugin } from './common';

export interface HellaswagDocument {
  where: string;
  query: string;
  endings: string[];
  label: number;
}

/** The text file of the shared assets' layout, looked for in the data folder. */
export const HELLASWAG_TEXT_FILE = 'hellaswag_val_full.txt';

/** lm-eval's cleaning of WikiHow artifacts: `[title]` becomes a sentence break, other bracketed tags go. */
export function preprocessHellaswag(text: string): string {
  return pythonStrip(text).replace(/ \[title\]/g, '. ').replace(/\[.*?\]/g, '').replace(/ {2}/g, ' ');
}

/** Python's str.capitalize: the first character upper case, the rest lower case. */
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

function fromJson(f: Fields): HellaswagDocument {
  const endings = f.strings('endings');
  const label = f.integer('label');
  if (label < 0 || label >= endings.length) throw f.fail(`label ${label} is not the index of one of its ${endings.length} endings`);
  return {
    where: f.where,
    query: preprocessHellaswag(`${f.string('activity_label')}: ${f.string('ctx_a')} ${capitalize(f.string('ctx_b'))}`),
    endings: endings.map(preprocessHellaswag),
    label,
  };
}

/** Items of 6 lines: `<label>: <context>`, the right ending's index, the four endings. */
export function readHellaswagText(file: string, task = 'hellaswag'): HellaswagDocument[] {
  const lines = readTaskFile(file, task).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0 || lines.length % 6 !== 0) {
    throw new TaskDataError(`task '${task}': ${file}:${lines.length}: ${lines.length} lines, not a whole number of 6-line items (context, label, four endings)`);
  }
  const documents: HellaswagDocument[] = [];
  for (let i = 0; i < lines.length; i += 6) {
    const where = `${file}:${i + 1}`;
    if (!lines[i].trim()) throw new TaskDataError(`task '${task}': ${where}: empty context line`);
    if (!/^[0-3]$/.test(lines[i + 1].trim())) throw new TaskDataError(`task '${task}': ${file}:${i + 2}: the label must be 0, 1, 2 or 3, got ${JSON.stringify(lines[i + 1])}`);
    documents.push({ where, query: lines[i], label: Number(lines[i + 1]), endings: lines.slice(i + 2, i + 6) });
  }
  return documents;
}

/** The 6-line text file to read, when the options or the data folder point to one rather than to JSONL. */
function textFile(options: { data?: string }, ctx: TaskContext): string | undefined {
  if (options.data) return options.data.endsWith('.txt') ? options.data : undefined;
  if (!ctx.dataDir || fs.existsSync(nodePath.join(ctx.dataDir, 'hellaswag'))) return undefined;
  const candidate = nodePath.join(ctx.dataDir, HELLASWAG_TEXT_FILE);
  return fs.existsSync(candidate) ? candidate : undefined;
}

function documentsOf(options: { data?: string }, ctx: TaskContext): () => TaskDocuments<HellaswagDocument> {
  const text = textFile(options, ctx);
  if (text) return once(() => ({ evaluation: { split: 'validation', file: text, documents: readHellaswagText(text) } }));
  return jsonlDocuments('hellaswag', 'hellaswag', { evaluation: 'validation', fewshot: 'train' }, { data: options.data, dataDir: ctx.dataDir }, fromJson);
}

export const hellaswagTask = taskPlugin(
  'hellaswag',
  '1.0.0',
  'HellaSwag sentence completion (validation split), acc and acc_norm; 10-shot in the paper',
  z.object({ data: dataOption }).strict(),
  (options, ctx): MultipleChoiceTask<HellaswagDocument> => ({
    name: 'hellaswag',
    version: '1.0.0',
    outputType: 'multiple_choice',
    metrics: ['acc', 'acc_norm'],
    primaryMetric: 'acc_norm',
    defaultShots: 10,
    ...LM_EVAL_DEFAULTS,
    load: documentsOf(options, ctx),
    text: (d) => d.query,
    choices: (d) => d.endings,
    gold: (d) => d.label,
  }),
);
