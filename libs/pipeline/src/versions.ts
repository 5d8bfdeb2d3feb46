/**
 * @module versions
 * The versions of the packages that made a result, recorded with everything a run writes.
 */
import * as fs from 'node:fs';

/** `{ name: version }` of each package, read from its package.json. */
export function packageVersions(packages: readonly string[]): Record<string, string> {
  const version = (name: string) => (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  return Object.fromEntries(packages.map((name) => [name, version(name)]));
}
