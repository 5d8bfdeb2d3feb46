/**
 * @module keys
 * Object keys as every backend takes them: '/'-separated relative paths. They are checked
 * in one place so that no backend can be led outside its root (`..`, an absolute path) and
 * a key means the same object in a folder and in a bucket.
 */
import { CatalogError } from './errors';

/** The suffix of the local backend's temporary files; no key may end with it. */
export const TEMP_SUFFIX = '.carve-tmp';

/** Why `key` is not a valid object key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (key.startsWith('/') || key.endsWith('/')) return "must not start or end with '/'";
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f]/.test(key)) return 'must not hold backslashes or control characters';
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return "must not have empty, '.' or '..' segments";
  if (key.endsWith(TEMP_SUFFIX)) return `must not end with '${TEMP_SUFFIX}' (kept for temporary files)`;
  return undefined;
}

/** Returns `key` when it is a valid object key (`runs/<id>/front.json`); throws otherwise. */
export function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new CatalogError(`object key ${JSON.stringify(key)} ${problem}`, 'invalid_name');
  return key;
}

/**
 * Returns `prefix` when it is a valid listing prefix: empty (everything), a key, a key with a
 * trailing '/', or the start of a key's last segment (`runs/2026`); throws otherwise.
 */
export function checkPrefix(prefix: string): string {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (trimmed !== '' && keyProblem(trimmed)) {
    throw new CatalogError(`prefix ${JSON.stringify(prefix)} ${keyProblem(trimmed)}`, 'invalid_name');
  }
  return prefix;
}
