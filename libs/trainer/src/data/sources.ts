/**
 * @module sources
 * Training documents read from files: plain text, JSONL with a text field, and Alpaca-style
 * instruction records (`instruction`, optional `input`, `output`) rendered with a prompt
 * template. A document is a prompt, read but not learned, then a text that is learned.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { DataIssues } from './data-error';

/** A plain text file: the whole file is one document, or pieces cut at `separator`. */
export interface TextSource {
  readonly format: 'text';
  readonly path: string;
  /** Cuts the file into documents at this string (e.g. '\n\n'). @default none: one document */
  readonly separator?: string;
}

/** JSONL, one document per line, its text in `field`. */
export interface JsonlSource {
  readonly format: 'jsonl';
  readonly path: string;
  /** @default 'text' */
  readonly field?: string;
}

/** JSONL of `{ instruction, input?, output }`: the rendered prompt is masked, the output learned. */
export interface AlpacaSource {
  readonly format: 'alpaca';
  readonly path: string;
  /** @default ALPACA_TEMPLATE */
  readonly template?: AlpacaTemplate;
}

export type DataSource = TextSource | JsonlSource | AlpacaSource;

/** Prompt templates with `{instruction}` and `{input}` placeholders; the output follows the prompt. */
export interface AlpacaTemplate {
  /** For records with a non-empty `input`; holds both placeholders. */
  readonly withInput: string;
  /** For records without one; holds `{instruction}`. */
  readonly withoutInput: string;
}

/** The Stanford Alpaca prompts (github.com/tatsu-lab/stanford_alpaca, train.py). */
export const ALPACA_TEMPLATE: AlpacaTemplate = {
  withInput:
    'Below is an instruction that describes a task, paired with an input that provides further context. ' +
    'Write a response that appropriately completes the request.\n\n' +
    '### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
  withoutInput:
    'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
    '### Instruction:\n{instruction}\n\n### Response:\n',
};

/** One document. Its tokens are BOS, the prompt's (masked), the text's, then EOS when `eos`. */
export interface Document {
  /** `path` or `path:line`, for messages. */
  readonly where: string;
  readonly prompt: string;
  readonly text: string;
  readonly eos: boolean;
}

/** What a file was, to record beside the run that used it. */
export interface DataFileRecord {
  path: string;
  bytes: number;
  sha256: string;
}

/** Problems with a source's options (today: an Alpaca template missing a placeholder). */
export function checkSource(source: DataSource, issues: DataIssues): void {
  if (source.format !== 'alpaca' || !source.template) return;
  const { withInput, withoutInput } = source.template;
  const missing = [
    ...['{instruction}', '{input}'].filter((p) => !withInput.includes(p)).map((p) => `withInput lacks ${p}`),
    ...(withoutInput.includes('{instruction}') ? [] : ['withoutInput lacks {instruction}']),
  ];
  if (missing.length) issues.add('invalid_data_options', `${source.path}: alpaca template: ${missing.join(', ')}`);
}

/** Reads one source's documents; problems go to `issues` (the caller throws). */
export function readSource(source: DataSource, issues: DataIssues): { documents: Document[]; file: DataFileRecord } {
  const { path } = source;
  const bytes = fs.readFileSync(path);
  const file = { path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  const text = bytes.toString('utf8');
  if (text.trim() === '') {
    issues.add('data_file_empty', `${path}: empty file; give at least one document`);
    return { documents: [], file };
  }
  if (source.format === 'text') {
    const pieces = source.separator ? text.split(source.separator) : [text];
    const documents = pieces.flatMap((t, i) => (t.trim() === '' ? [] : [{ where: source.separator ? `${path} #${i + 1}` : path, prompt: '', text: t, eos: false }]));
    return { documents, file };
  }
  const documents: Document[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path}:${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      issues.add('invalid_data_record', `${where}: not valid JSON`);
      return;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      issues.add('invalid_data_record', `${where}: not a JSON object but ${kind(row)}`);
      return;
    }
    const doc = source.format === 'jsonl' ? jsonlDocument(row as Record<string, unknown>, where, source.field ?? 'text', issues) : alpacaDocument(row as Record<string, unknown>, where, source.template ?? ALPACA_TEMPLATE, issues);
    if (doc) documents.push(doc);
  });
  return { documents, file };
}

function jsonlDocument(row: Record<string, unknown>, where: string, field: string, issues: DataIssues): Document | undefined {
  const text = row[field];
  if (typeof text === 'string') return { where, prompt: '', text, eos: false };
  issues.add('invalid_data_record', `${where}: ${notString(`field '${field}'`, text)}`);
  return undefined;
}

function alpacaDocument(row: Record<string, unknown>, where: string, template: AlpacaTemplate, issues: DataIssues): Document | undefined {
  const { instruction, input, output } = row;
  const wrong = [
    ...(typeof instruction === 'string' ? [] : [notString("'instruction'", instruction)]),
    ...(input === undefined || input === null || typeof input === 'string' ? [] : [notString("'input'", input)]),
    ...(typeof output === 'string' ? [] : [notString("'output'", output)]),
  ];
  if (wrong.length) {
    issues.add('invalid_data_record', `${where}: alpaca record: ${wrong.join(', ')}`);
    return undefined;
  }
  const fields: Record<string, string> = { instruction: instruction as string, input: (input as string | undefined) ?? '' };
  const chosen = fields.input === '' ? template.withoutInput : template.withInput;
  // One pass, so a placeholder inside the instruction is not itself replaced.
  const prompt = chosen.replace(/\{(instruction|input)\}/g, (_, k: string) => fields[k]);
  return { where, prompt, text: output as string, eos: true };
}

/** "'x' is missing" or "'x' must be a string, got a number". */
function notString(name: string, value: unknown): string {
  return value === undefined ? `${name} is missing` : `${name} must be a string, got ${kind(value)}`;
}

/** 'null', 'an array', 'an object' or 'a number', for messages. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
}
