/**
 * @module discovery
 * Third-party plugins: a package declares itself in its package.json,
 *
 *   "carve": { "plugins": "dist/index.js", "apiVersion": 1 }
 *
 * and its entry file has a named export `plugins`, an array of plugin definitions. That one
 * rule (not also a default export, not also a bare array) keeps CommonJS and compiled
 * TypeScript packages alike (`export const plugins = [...]`, `module.exports = { plugins }`)
 * and gives one shape to name when a package gets it wrong.
 *
 * Only the packages named are loaded, and only from where Node would resolve them: nothing is
 * discovered by scanning `node_modules`. A name must be a package name (@carve/names); a path
 * (`./local`, `../x`, `/abs`, `pkg/sub`) is refused, so a run spec or a cloud request cannot
 * point the loader at a folder of its choice (a local plugin is installed first:
 * `npm install ./my-plugin`). The entry file must lie inside its package's folder.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { packageNameProblem, quoteName } from '@carve/names';
import { PluginError } from './errors';
import { show } from './format';
import { PLUGIN_API_VERSION, PluginDefinition, pluginId } from './plugin';
import { PluginRegistry } from './registry';

export interface LoadPluginPackagesOptions {
  /** The folder packages are resolved from, as `require` in a file there would (the run's folder). */
  readonly resolveFrom: string;
}

/** A package whose plugins were registered, for the run's record. */
export interface LoadedPluginPackage {
  readonly name: string;
  /** The package's version, or null when its package.json has none. */
  readonly version: string | null;
  /** The folder it was loaded from. */
  readonly directory: string;
  /** `kind/name@version` of each plugin it registered. */
  readonly plugins: readonly string[];
}

const EXAMPLE_FIELD = `"carve": { "plugins": "dist/index.js", "apiVersion": ${PLUGIN_API_VERSION} }`;
const EXPECTED_EXPORT = 'a named export `plugins`, an array of plugin definitions (`export const plugins = [...]` or `module.exports = { plugins: [...] }`)';

interface Found {
  readonly name: string;
  readonly version: string | null;
  readonly directory: string;
  readonly definitions: readonly PluginDefinition[];
}

/**
 * Why a package could not be loaded: the lines of the message, the issues (the same lines,
 * unless a registration error lists its issues apart) and what was thrown, if anything.
 */
class PackageProblem {
  constructor(
    readonly lines: readonly string[],
    readonly cause?: unknown,
    readonly issues: readonly string[] = lines,
  ) {}
}

/**
 * Resolves each package from `resolveFrom`, checks its `carve` field and API version, requires
 * its entry and registers the definitions it exports (source: `name@version`). Every problem
 * of every package is collected into one PluginError ('invalid_plugin_package') whose lines
 * each start with `plugin package '<name>'`; packages without problems stay registered. A name
 * listed twice is loaded once.
 */
export function loadPluginPackages(
  registry: PluginRegistry,
  packageNames: readonly string[],
  options: LoadPluginPackagesOptions,
): LoadedPluginPackage[] {
  const loaded: LoadedPluginPackage[] = [];
  const problems: { name: string; problem: PackageProblem }[] = [];
  for (const name of new Set(packageNames)) {
    const found = findPackage(name, options.resolveFrom);
    if (found instanceof PackageProblem) {
      problems.push({ name, problem: found });
      continue;
    }
    try {
      registry.register(found.definitions, { source: found.version ? `${name}@${found.version}` : name });
      loaded.push({ name, version: found.version, directory: found.directory, plugins: found.definitions.map(pluginId) });
    } catch (e) {
      if (!(e instanceof PluginError)) throw e;
      problems.push({ name, problem: new PackageProblem(e.message.split('\n'), e, e.issues) });
    }
  }
  if (problems.length === 0) return loaded;
  // A name that is no package name is shown escaped: it may hold anything.
  const named = (name: string, lines: readonly string[]) => lines.map((line) => `plugin package ${packageNameProblem(name) ? quoteName(name) : `'${name}'`}: ${line}`);
  const lines = problems.flatMap(({ name, problem }) => named(name, problem.lines));
  const issues = problems.flatMap(({ name, problem }) => named(name, problem.issues));
  const causes = problems.flatMap(({ problem }) => (problem.cause === undefined ? [] : [problem.cause]));
  const cause = causes.length > 1 ? new AggregateError(causes, 'plugin package errors') : causes[0];
  throw new PluginError(lines.join('\n'), 'invalid_plugin_package', issues, cause);
}

/** Resolves, reads and requires one package; the first problem that stops it is returned. */
function findPackage(name: string, resolveFrom: string): Found | PackageProblem {
  const refused = packageNameProblem(name);
  if (refused) return new PackageProblem([refused]);
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${name}/package.json`, { paths: [resolveFrom] });
  } catch (e) {
    return new PackageProblem([unresolvable(name, resolveFrom)], e);
  }
  const directory = resolve(manifestPath, '..');
  // The resolver has parsed this file already (a malformed one fails resolution), so it is JSON.
  const manifest: { version?: unknown; carve?: { plugins?: unknown; apiVersion?: unknown } } = JSON.parse(
    readFileSync(manifestPath, 'utf8'),
  );
  const version = typeof manifest.version === 'string' ? manifest.version : null;
  const carve = manifest.carve;
  if (typeof carve !== 'object' || carve === null) {
    return new PackageProblem([`no "carve" field in its package.json (${manifestPath}); a plugin package declares ${EXAMPLE_FIELD}`]);
  }
  const fieldIssues: string[] = [];
  if (carve.apiVersion !== PLUGIN_API_VERSION) {
    fieldIssues.push(
      `"carve.apiVersion" is ${show(carve.apiVersion)}, but this carve speaks plugin API version ${PLUGIN_API_VERSION}; ` +
        `install a release of ${name} built for plugin API version ${PLUGIN_API_VERSION}`,
    );
  }
  if (typeof carve.plugins !== 'string' || carve.plugins === '') {
    fieldIssues.push(`"carve.plugins" must be the entry file's path in the package, like "dist/index.js" (got ${show(carve.plugins)})`);
  }
  if (fieldIssues.length > 0) return new PackageProblem(fieldIssues);
  const entry = carve.plugins as string;
  const entryPath = resolve(directory, entry);
  if (!statSync(entryPath, { throwIfNoEntry: false })?.isFile()) {
    return new PackageProblem([`entry file "${entry}" ("carve.plugins") does not exist at ${entryPath}; build the package, or fix the path`]);
  }
  // Another package's file (or any other) is not this package's entry, even through a link.
  if (!inside(directory, entryPath) || !inside(realpathSync(directory), realpathSync(entryPath))) {
    return new PackageProblem([`entry file "${entry}" ("carve.plugins") is outside the package's folder ${directory}; it must be a file of the package, like "dist/index.js"`]);
  }
  let exported: unknown;
  try {
    // The entry's own imports resolve from the package, as they would for any dependency.
    exported = createRequire(manifestPath)(entryPath);
  } catch (e) {
    return new PackageProblem([`entry file "${entry}" failed to load: ${(e as Error)?.message ?? String(e)}`], e);
  }
  const plugins = (exported as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(plugins)) {
    return new PackageProblem([`entry file "${entry}" must have ${EXPECTED_EXPORT}; it exports ${describeExports(exported)}`]);
  }
  return { name, version, directory, definitions: plugins };
}

/** Whether `path` lies inside the folder `dir` (and is not the folder itself). */
function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Why `name/package.json` does not resolve: the package is missing, or its "exports" hides the file. */
function unresolvable(name: string, resolveFrom: string): string {
  try {
    require.resolve(name, { paths: [resolveFrom] });
  } catch {
    return `not installed (looked in node_modules from ${resolveFrom} up); install it there with \`npm install ${name}\``;
  }
  // Asking for the package itself rather than reading the error code works under every
  // resolver (jest's reports a hidden file as not found, as it does a missing package).
  return 'its package.json is hidden by its "exports"; add "./package.json": "./package.json" there so carve can read its "carve" field';
}

/** What a module exported instead of `plugins`, so the author sees the mismatch. */
function describeExports(exported: unknown): string {
  if (Array.isArray(exported)) return 'an array itself (export it as `plugins`)';
  if (typeof exported !== 'object' || exported === null) return show(exported);
  const keys = Object.keys(exported);
  if (keys.length === 0) return 'nothing';
  const plugins = (exported as { plugins?: unknown }).plugins;
  const detail = keys.includes('plugins')
    ? ` (\`plugins\` is ${show(plugins)}, not an array)`
    : keys.includes('default')
      ? ' (a default export is not read: export `plugins` by name)'
      : '';
  return `{ ${keys.join(', ')} }${detail}`;
}
