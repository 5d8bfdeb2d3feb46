/**
 * @module keys
 * Object keys as every backend takes them: '/'-separated relative paths. They are checked
 * in one place (@carve/names' `keyProblem`) so that no backend can be led outside its root
 * (`..`, an absolute path, a backslash, a fullwidth '．．') and a key means the same object in a
 * folder and in a bucket.
 */
import { keyProblem, nameRefusal, quoteName, TEMP_SUFFIX } from '@carve/names';
import { CatalogError } from './errors';

// The rules are @carve/names' (shared with the cloud trigger, the worker and the input downloads).
export { keyProblem, TEMP_SUFFIX };

/** Returns `key` when it is a valid object key (`runs/<id>/front.json`); throws otherwise. */
export function checkKey(key: string): string {
  const refusal = nameRefusal('object key', key);
  if (refusal) throw new CatalogError(refusal, 'invalid_name');
  return key;
}

/**
 * Returns `prefix` when it is a valid listing prefix: empty (everything), a key, a key with a
 * trailing '/', or the start of a key's last segment (`runs/2026`); throws otherwise.
 */
export function checkPrefix(prefix: string): string {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = trimmed === '' ? undefined : keyProblem(trimmed);
  if (problem) throw new CatalogError(`prefix ${quoteName(prefix)} ${problem}`, 'invalid_name');
  return prefix;
}
