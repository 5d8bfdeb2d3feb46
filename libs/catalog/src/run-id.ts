/**
 * @module run-id
 * Run ids: the folder name of a run, `runs/<id>/`. A new id sorts by time and ends with a
 * hash of the spec, so the same spec started in the same minute gets the same id (as the
 * cloud trigger derives an idempotent job name from a request's content).
 */
import { createHash } from 'node:crypto';
import { nameRefusal, RUN_ID_PATTERN } from '@carve/names';
import { canonicalJson } from '@carve/spec';
import { CatalogError } from './errors';

// Letters, digits, '.', '_' and '-': the rule is @carve/names', which the cloud pieces share.
export { RUN_ID_PATTERN };

/** `20261128-2042-1a2b3c`: the UTC minute `date` falls in, then 6 hex digits of the spec's hash. */
export function newRunId(date: Date, spec: unknown): string {
  const iso = date.toISOString(); // 2026-11-28T20:42:13.000Z
  const hash = createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 6);
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}-${hash}`;
}

/**
 * Returns `id` when it is a valid run id; throws a CatalogError saying what is allowed otherwise,
 * after `where` (`--run: run id "../x" is not valid: ...`) when it is given.
 */
export function checkRunId(id: string, where?: string): string {
  const refusal = nameRefusal('run id', id);
  if (refusal === undefined) return id;
  throw new CatalogError(where ? `${where}: ${refusal}` : refusal, 'invalid_name');
}
