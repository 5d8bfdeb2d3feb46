/**
 * @module documents
 * Reading task data: JSONL in the Hugging Face datasets field layouts, and checked field
 * access, so a malformed line or a missing field is reported once, by file and line, before
 * any scoring starts.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { oneLine, preview, UserError } from '@carve/errors';

/** Task data that cannot be read or does not have the task's fields. */
export class TaskDataError extends UserError {
  constructor(message: string) {
    super(message, 'invalid_task_data');
  }
}

/** One JSON object of a JSONL file, with its `file:line`. */
export interface JsonRecord {
  readonly where: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The text of `file`, or a TaskDataError naming it. */
export function readTaskFile(file: string, task: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TaskDataError(`task '${task}': ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The objects of a JSONL file, one per non-blank line; a line that is not a JSON object is an error naming it. */
export function readJsonl(file: string, task: string): JsonRecord[] {
  const records: JsonRecord[] = [];
  readTaskFile(file, task)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const where = `${file}:${i + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new TaskDataError(`task '${task}': ${where}: not valid JSON (${oneLine((e as Error).message)})`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TaskDataError(`task '${task}': ${where}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      records.push({ where, fields: value as Record<string, unknown> });
    });
  if (!records.length) throw new TaskDataError(`task '${task}': ${file}: no documents`);
  return records;
}

/** Checked reads of one record's fields; every error names the task, the file and line, and the field. */
export class Fields {
  constructor(
    private readonly record: JsonRecord,
    private readonly task: string,
  ) {}

  get where(): string {
    return this.record.where;
  }

  string(name: string): string {
    const v = this.record.fields[name];
    if (typeof v !== 'string') throw this.error(name, 'a string', v);
    return v;
  }

  /** An integer, also when the dataset writes it as a string ("1"), as several HF datasets do. */
  integer(name: string): number {
    const v = this.record.fields[name];
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw this.error(name, 'an integer', v);
    return n;
  }

  boolean(name: string): boolean {
    const v = this.record.fields[name];
    if (typeof v !== 'boolean') throw this.error(name, 'true or false', v);
    return v;
  }

  strings(name: string, path: string = name): string[] {
    const v = path.split('.').reduce<unknown>((o, key) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined), this.record.fields);
    if (!Array.isArray(v) || !v.length || !v.every((x) => typeof x === 'string')) throw this.error(path, 'a non-empty list of strings', v);
    return v as string[];
  }

  /** A TaskDataError about this record (a value out of range, say). */
  fail(message: string): TaskDataError {
    return new TaskDataError(`task '${this.task}': ${this.where}: ${message}`);
  }

  private error(name: string, expected: string, got: unknown): TaskDataError {
    return this.fail(got === undefined ? `missing field '${name}' (${expected})` : `field '${name}' must be ${expected}, got ${preview(got, 60)}`);
  }
}

/** Each record of a JSONL file parsed by `parse` with checked field access. */
export function parseJsonl<D>(file: string, task: string, parse: (fields: Fields) => D): D[] {
  return readJsonl(file, task).map((record) => parse(new Fields(record, task)));
}

/** Where a task's split lives: the file its options name, else `<dataDir>/<dataset>/<split>.jsonl`. */
export function splitFile(task: string, dataset: string, split: string, options: { data?: string; dataDir?: string }): string {
  if (options.data) {
    if (fs.existsSync(options.data) && fs.statSync(options.data).isDirectory()) return nodePath.join(options.data, `${split}.jsonl`);
    return options.data;
  }
  if (!options.dataDir) throw new TaskDataError(`task '${task}': no data: give the task's folder of <split>.jsonl files (its 'data' option, or a data folder holding ${dataset}/${split}.jsonl)`);
  return nodePath.join(options.dataDir, dataset, `${split}.jsonl`);
}
