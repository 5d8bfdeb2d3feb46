/**
 * @module run-file
 * Reads a JSON file of a run (a manifest, a front) against its schema. Every problem is
 * reported at once, each with its path in the file, in one error that names the file.
 */
import type { z } from 'zod';
import { oneLine } from '@carve/errors';
import { CatalogError } from './errors';

/** `members[2].objectives.params`: a path in a JSON document as code would write it. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}

/** The problems of `value` against `schema`, one line each, or the parsed value. */
export function checkValue<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; issues: string[] } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  // The path and the message quote the document's keys, which may hold line breaks.
  return { ok: false, issues: result.error.issues.map((issue) => oneLine(`${formatPath(issue.path) || '(top level)'}: ${issue.message}`)) };
}

/**
 * Parses `bytes` as JSON and checks it with `schema`. `file` names it in the error
 * (`catalog local folder /c: runs/x/manifest.json: ...`), which lists every problem.
 */
export function parseRunFile<T>(schema: z.ZodType<T>, bytes: Buffer, file: string): T {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CatalogError(`${file}: not valid JSON (${oneLine((e as Error).message)})`, 'invalid_run_file');
  }
  const checked = checkValue(schema, json);
  if (checked.ok) return checked.value;
  throw new CatalogError(`${file}: ${checked.issues.join('; ')}`, 'invalid_run_file', checked.issues.map((issue) => `${file}: ${issue}`));
}
