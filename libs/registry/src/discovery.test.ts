import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HOSTILE_NAMES } from '../../names/src/testing/hostile-names';
import { loadPluginPackages } from './discovery';
import { PluginError } from './errors';
import { PluginRegistry } from './registry';

/**
 * Fixture packages are written into a temporary project as `node_modules/<name>/...`, so they
 * are found the way an installed plugin package is: by Node's resolution from `resolveFrom`.
 * The project links the workspace's zod, as an installed plugin would have its own.
 */
let project: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'carve-registry-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(dirname(require.resolve('zod/package.json')), join(project, 'node_modules', 'zod'), 'dir');
});

afterEach(() => rmSync(project, { recursive: true, force: true }));

/** Writes a package: its package.json fields and its files (path in the package to source). */
function writePackage(name: string, manifest: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.0', ...manifest }));
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), source);
  }
  return dir;
}

/** Source of a CommonJS module defining one sampler plugin named `name`. */
function samplerSource(name: string, fields = ''): string {
  return `const { z } = require('zod');
module.exports.plugins = [{
  kind: 'sampler', name: '${name}', version: '0.3.0', apiVersion: 1, description: 'a fixture sampler',
  options: z.object({ bins: z.number().int().min(2).default(3) }),
  create: (options) => ({ bins: options.bins }),
  ${fields}
}];`;
}

const PLUGIN_FIELD = { carve: { plugins: 'dist/index.js', apiVersion: 1 } };

/** The PluginError thrown by loading `names`. */
function loadError(registry: PluginRegistry, names: string[]): PluginError {
  try {
    loadPluginPackages(registry, names, { resolveFrom: project });
  } catch (e) {
    if (e instanceof PluginError) return e;
    throw e;
  }
  throw new Error('expected a PluginError, nothing was thrown');
}

describe('loadPluginPackages', () => {
  it('registers the plugins of an installed package, resolved from a folder below it', () => {
    const dir = writePackage('@acme/carve-grid', PLUGIN_FIELD, { 'dist/index.js': samplerSource('acme-grid') });
    const registry = new PluginRegistry();
    const nested = join(project, 'runs', 'today');
    mkdirSync(nested, { recursive: true });
    const loaded = loadPluginPackages(registry, ['@acme/carve-grid', '@acme/carve-grid'], { resolveFrom: nested });
    expect(loaded).toEqual([{ name: '@acme/carve-grid', version: '1.2.0', directory: dir, plugins: ['sampler/acme-grid@0.3.0'] }]);
    expect(registry.list()).toEqual([
      { kind: 'sampler', name: 'acme-grid', version: '0.3.0', description: 'a fixture sampler', source: '@acme/carve-grid@1.2.0' },
    ]);
    expect(registry.create('sampler', 'acme-grid', { bins: 5 }, {})).toEqual({ bins: 5 });
    // The package's own zod checks the options; the registry reads its issues all the same.
    expect(() => registry.create('sampler', 'acme-grid', { bins: 1 }, {})).toThrow("sampler 'acme-grid' options: bins: must be >= 2 (got 1)");
  });

  it('says how to install a package that is not installed', () => {
    const e = loadError(new PluginRegistry(), ['carve-plugin-missing']);
    expect(e.code).toBe('invalid_plugin_package');
    expect(e.message).toBe(
      `plugin package 'carve-plugin-missing': not installed (looked in node_modules from ${project} up); ` +
        'install it there with `npm install carve-plugin-missing`',
    );
  });

  it('rejects a package without a carve field, showing the field', () => {
    const dir = writePackage('left-pad', {}, { 'index.js': '' });
    expect(loadError(new PluginRegistry(), ['left-pad']).message).toBe(
      `plugin package 'left-pad': no "carve" field in its package.json (${join(dir, 'package.json')}); ` +
        'a plugin package declares "carve": { "plugins": "dist/index.js", "apiVersion": 1 }',
    );
  });

  it('rejects a package of another API version, and a carve field without an entry', () => {
    writePackage('carve-plugin-next', { carve: { apiVersion: 2 } });
    expect(loadError(new PluginRegistry(), ['carve-plugin-next']).message.split('\n')).toEqual([
      `plugin package 'carve-plugin-next': "carve.apiVersion" is 2, but this carve speaks plugin API version 1; ` +
        'install a release of carve-plugin-next built for plugin API version 1',
      `plugin package 'carve-plugin-next': "carve.plugins" must be the entry file's path in the package, like "dist/index.js" (got undefined)`,
    ]);
  });

  it('rejects an entry file that does not exist', () => {
    const dir = writePackage('carve-plugin-unbuilt', PLUGIN_FIELD);
    expect(loadError(new PluginRegistry(), ['carve-plugin-unbuilt']).message).toBe(
      `plugin package 'carve-plugin-unbuilt': entry file "dist/index.js" ("carve.plugins") does not exist at ${join(dir, 'dist', 'index.js')}; ` +
        'build the package, or fix the path',
    );
  });

  it('reports an entry file that throws while loading, keeping what it threw', () => {
    writePackage('carve-plugin-broken', PLUGIN_FIELD, { 'dist/index.js': "throw new Error('no GPU here');" });
    const e = loadError(new PluginRegistry(), ['carve-plugin-broken']);
    expect(e.message).toBe(`plugin package 'carve-plugin-broken': entry file "dist/index.js" failed to load: no GPU here`);
    expect((e.cause as Error).message).toBe('no GPU here');
  });

  const SHAPES: [string, string, string][] = [
    ['a default export', "exports.default = { plugins: [] }; Object.defineProperty(exports, '__esModule', { value: true });", '{ default } (a default export is not read: export `plugins` by name)'],
    ['an array module', 'module.exports = [];', 'an array itself (export it as `plugins`)'],
    ['`plugins` that is not an array', 'exports.plugins = { grid: {} };', '{ plugins } (`plugins` is {"grid":{}}, not an array)'],
    ['nothing', '', 'nothing'],
    ['a function', 'module.exports = () => [];', 'a function'],
  ];

  it.each(SHAPES)('rejects an entry that exports %s, naming the expected shape', (_what, source, found) => {
    writePackage('carve-plugin-shape', PLUGIN_FIELD, { 'dist/index.js': source });
    expect(loadError(new PluginRegistry(), ['carve-plugin-shape']).message).toBe(
      `plugin package 'carve-plugin-shape': entry file "dist/index.js" must have a named export \`plugins\`, an array of plugin definitions ` +
        `(\`export const plugins = [...]\` or \`module.exports = { plugins: [...] }\`); it exports ${found}`,
    );
  });

  it("reports its definitions' registration errors, naming the package", () => {
    writePackage('carve-plugin-sloppy', PLUGIN_FIELD, { 'dist/index.js': samplerSource('Grid', "apiVersion: 3, version: '1'") });
    const e = loadError(new PluginRegistry(), ['carve-plugin-sloppy']);
    expect(e.message).toBe(
      `plugin package 'carve-plugin-sloppy': cannot register plugin sampler/Grid@1: name "Grid" must be lowercase-kebab, like 'calibrated-grid'; ` +
        `version "1" must be a semver version, like '1.0.0'; ` +
        'written for plugin API version 3, but this registry speaks version 1; use a release of the plugin built for API version 1',
    );
    expect(e.issues).toEqual([
      `plugin package 'carve-plugin-sloppy': sampler/Grid@1: name "Grid" must be lowercase-kebab, like 'calibrated-grid'`,
      `plugin package 'carve-plugin-sloppy': sampler/Grid@1: version "1" must be a semver version, like '1.0.0'`,
      `plugin package 'carve-plugin-sloppy': sampler/Grid@1: written for plugin API version 3, but this registry speaks version 1; use a release of the plugin built for API version 1`,
    ]);
  });

  it('names both packages when two provide the same plugin', () => {
    writePackage('carve-plugin-a', PLUGIN_FIELD, { 'dist/index.js': samplerSource('grid') });
    writePackage('carve-plugin-b', PLUGIN_FIELD, { 'dist/index.js': samplerSource('grid') });
    expect(loadError(new PluginRegistry(), ['carve-plugin-a', 'carve-plugin-b']).message).toBe(
      "plugin package 'carve-plugin-b': cannot register plugin sampler/grid@0.3.0: sampler/grid is already registered " +
        '(version 0.3.0 from carve-plugin-a@1.2.0); this definition is version 0.3.0 from carve-plugin-b@1.2.0; ' +
        'a kind/name is registered once: rename one plugin or load only one package that provides it',
    );
  });

  it('reports every failing package at once and keeps the good ones', () => {
    writePackage('carve-plugin-good', PLUGIN_FIELD, { 'dist/index.js': samplerSource('good') });
    writePackage('carve-plugin-bare', {});
    writePackage('carve-plugin-broken', PLUGIN_FIELD, { 'dist/index.js': "throw new Error('no GPU here');" });
    const registry = new PluginRegistry();
    const e = loadError(registry, ['carve-plugin-gone', 'carve-plugin-good', 'carve-plugin-bare', 'carve-plugin-broken']);
    expect(e.issues.map((line) => line.slice(0, line.indexOf(':', 'plugin package '.length)))).toEqual([
      "plugin package 'carve-plugin-gone'",
      "plugin package 'carve-plugin-bare'",
      "plugin package 'carve-plugin-broken'",
    ]);
    expect(registry.list().map((p) => p.name)).toEqual(['good']);
    // What the resolver and the broken entry threw, both kept.
    expect((e.cause as AggregateError).errors.map((c: Error) => c.message)).toEqual([expect.stringContaining('carve-plugin-gone'), 'no GPU here']);
  });

  it('explains a package whose exports hide its package.json', () => {
    writePackage('carve-plugin-sealed', { ...PLUGIN_FIELD, exports: { '.': './dist/index.js' } }, { 'dist/index.js': samplerSource('sealed') });
    expect(loadError(new PluginRegistry(), ['carve-plugin-sealed']).message).toBe(
      `plugin package 'carve-plugin-sealed': its package.json is hidden by its "exports"; ` +
        'add "./package.json": "./package.json" there so carve can read its "carve" field',
    );
  });
});

/**
 * Only the packages a spec or a command names are loaded, only by their package names, and
 * only their own entry files: each fixture's entry leaves a marker file when it is required (a
 * file, as the loader's `require` is Node's own, outside the test's module registry).
 */
describe('what loadPluginPackages loads', () => {
  /** A plugin package whose entry leaves `loaded-<name>` in the project when required. */
  function markingPackage(name: string, manifest: Record<string, unknown> = PLUGIN_FIELD): string {
    const marker = join(project, `loaded-${name.replace('/', '+')}`);
    return writePackage(name, manifest, { 'dist/index.js': `require('fs').writeFileSync(${JSON.stringify(marker)}, ''); module.exports.plugins = [];` });
  }
  const loadedMarkers = () => readdirSync(project).filter((f) => f.startsWith('loaded-')).sort();

  it('never loads an installed package that is not named', () => {
    markingPackage('carve-plugin-named');
    markingPackage('carve-plugin-bystander');
    markingPackage('@acme/carve-bystander');
    expect(loadPluginPackages(new PluginRegistry(), ['carve-plugin-named'], { resolveFrom: project }).map((p) => p.name)).toEqual(['carve-plugin-named']);
    expect(loadPluginPackages(new PluginRegistry(), [], { resolveFrom: project })).toEqual([]);
    expect(loadedMarkers()).toEqual(['loaded-carve-plugin-named']);
  });

  it.each([
    ['a relative path', () => './node_modules/carve-plugin-bystander'],
    ['a parent path', () => `../${project.split('/').pop()}/node_modules/carve-plugin-bystander`],
    ['an absolute path', () => join(project, 'node_modules', 'carve-plugin-bystander')],
    ['a path through a package', () => 'carve-plugin-named/../carve-plugin-bystander'],
    ['a folder of a package', () => 'carve-plugin-named/dist'],
  ])('refuses %s, loading nothing: plugins are named as packages, and local ones are installed first', (_what, path) => {
    markingPackage('carve-plugin-named');
    markingPackage('carve-plugin-bystander');
    const name = path();
    expect(loadError(new PluginRegistry(), [name]).message).toBe(
      `plugin package ${JSON.stringify(name)}: is a path, not a package name: plugins are installed packages, named as in their package.json (install a local one with \`npm install ./my-plugin\`)`,
    );
    expect(loadedMarkers()).toEqual([]);
  });

  it.each(HOSTILE_NAMES)('refuses a name with %s in one line, loading nothing', (_what, name) => {
    markingPackage('carve-plugin-bystander');
    const e = loadError(new PluginRegistry(), [name]);
    expect([e.code, e.message]).toEqual(['invalid_plugin_package', expect.stringMatching(/^plugin package ".*"( \(\d+ characters\))?: is (a path|not an npm package name|not a package name|longer)[^\n]*$/)]);
    expect(e.message).not.toMatch(/[\p{Cc}\u2028\u202e\u200b]/u);
    expect(loadedMarkers()).toEqual([]);
  });

  it("refuses an entry outside its package's folder, by a relative path, an absolute one or a link", () => {
    const bystander = markingPackage('carve-plugin-bystander');
    const entry = join(bystander, 'dist', 'index.js');
    writePackage('carve-plugin-reach', { carve: { plugins: '../carve-plugin-bystander/dist/index.js', apiVersion: 1 } });
    writePackage('carve-plugin-absolute', { carve: { plugins: entry, apiVersion: 1 } });
    const linked = writePackage('carve-plugin-linked', PLUGIN_FIELD);
    mkdirSync(join(linked, 'dist'));
    symlinkSync(entry, join(linked, 'dist', 'index.js'));
    const e = loadError(new PluginRegistry(), ['carve-plugin-reach', 'carve-plugin-absolute', 'carve-plugin-linked']);
    expect(e.issues).toEqual(
      [['carve-plugin-reach', '../carve-plugin-bystander/dist/index.js'], ['carve-plugin-absolute', entry], ['carve-plugin-linked', 'dist/index.js']].map(
        ([name, path]) => `plugin package '${name}': entry file "${path}" ("carve.plugins") is outside the package's folder ${join(project, 'node_modules', name)}; it must be a file of the package, like "dist/index.js"`,
      ),
    );
    expect(loadedMarkers()).toEqual([]);
    expect(existsSync(entry)).toBe(true);
  });
});
