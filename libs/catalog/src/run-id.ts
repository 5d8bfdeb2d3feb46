/**
 * @module run-id
 * Run ids: the folder name of a run, `runs/<id>/`. A new id sorts by time and ends with a
 * hash of the spec, so the same spec started in the same minute gets the same id (as the
 * cloud trigger derives an idempotent job name from a request's content).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@carve/spec';
import { CatalogError } from './errors';

/** Letters, digits, '.', '_' and '-': safe as a folder name, an S3 key part and a shell word. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `20261128-2042-1a2b3c`: the UTC minute `date` falls in, then 6 hex digits of the spec's hash. */
export function newRunId(date: Date, spec: unknown): string {
  const iso = date.toISOString(); // 2026-11-28T20:42:13.000Z
  const hash = createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 6);
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}-${hash}`;
}

/** Returns `id` when it is a valid run id; throws a CatalogError saying what is allowed otherwise. */
export function checkRunId(id: string): string {
  if (typeof id === 'string' && RUN_ID_PATTERN.test(id)) return id;
  throw new CatalogError(
    `run id ${JSON.stringify(id)} is not valid: use 1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit (like 20261128-2042-1a2b3c)`,
    'invalid_name',
  );
}
