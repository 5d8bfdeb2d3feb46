import { UserError } from '@carve/engine';
import { z } from 'zod';
import { PluginCreateError, PluginError } from './errors';
import { definePlugin, PLUGIN_API_VERSION, PLUGIN_KINDS, PluginDefinition } from './plugin';
import { PluginRegistry } from './registry';

/** A toy sampler: enough of a plugin to exercise every registry rule. */
const calibrated = definePlugin({
  kind: 'sampler',
  name: 'calibrated',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'toy calibrated grid',
  options: z.object({ bins: z.number().int().min(2).default(21), perBin: z.number().int().min(1).default(5) }),
  create: (options, context: { seed: number }) => ({ ...options, seed: context.seed }),
});

/** The toy with some fields replaced, as a third party's JavaScript might hand it over. */
function variant(fields: Record<string, unknown>): PluginDefinition {
  return { ...calibrated, ...fields } as PluginDefinition;
}

/** The PluginError `fn` throws. */
function pluginError(fn: () => unknown): PluginError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PluginError) return e;
    throw e;
  }
  throw new Error('expected a PluginError, nothing was thrown');
}

describe('PluginRegistry.register', () => {
  it('accepts a definition and lists it', () => {
    const registry = new PluginRegistry();
    registry.register(calibrated);
    expect(registry.get('sampler', 'calibrated')).toBe(calibrated);
    expect(registry.list()).toEqual([{ kind: 'sampler', name: 'calibrated', version: '1.0.0', description: 'toy calibrated grid', source: undefined }]);
  });

  it('rejects a duplicate kind/name, naming both versions and sources', () => {
    const registry = new PluginRegistry();
    registry.register(calibrated, { source: '@carve/sampler' });
    const e = pluginError(() => registry.register(variant({ version: '1.1.0' }), { source: 'carve-plugin-grid@2.0.0' }));
    expect(e.code).toBe('invalid_plugin_definition');
    expect(e.message).toBe(
      'cannot register plugin sampler/calibrated@1.1.0: sampler/calibrated is already registered (version 1.0.0 from @carve/sampler); ' +
        'this definition is version 1.1.0 from carve-plugin-grid@2.0.0; a kind/name is registered once: rename one plugin or load only one package that provides it',
    );
  });

  it('rejects a duplicate within one batch, and registers nothing of a batch with a problem', () => {
    const registry = new PluginRegistry();
    const other = variant({ name: 'other' });
    const e = pluginError(() => registry.register([other, calibrated, variant({ version: '2.0.0' })]));
    expect(e.issues).toEqual([expect.stringMatching(/^sampler\/calibrated@2\.0\.0: sampler\/calibrated is already registered \(version 1\.0\.0\)/)]);
    expect(registry.list()).toEqual([]);
  });

  it('rejects an unknown kind, listing the kinds', () => {
    const e = pluginError(() => new PluginRegistry().register(variant({ kind: 'samplr' })));
    expect(e.message).toBe(`cannot register plugin samplr/calibrated@1.0.0: unknown kind "samplr" (kinds: ${PLUGIN_KINDS.join(', ')})`);
  });

  it('rejects a definition of another API version, saying which one the registry speaks', () => {
    const e = pluginError(() => new PluginRegistry().register(variant({ apiVersion: 2 })));
    expect(e.message).toBe(
      'cannot register plugin sampler/calibrated@1.0.0: written for plugin API version 2, but this registry speaks version 1; ' +
        'use a release of the plugin built for API version 1',
    );
  });

  it.each(['Calibrated', 'calibrated_grid', 'calibrated grid', '-grid', 'grid-', 'grid--2', '2grid', ''])('rejects the name %j', (name) => {
    const e = pluginError(() => new PluginRegistry().register(variant({ name })));
    expect(e.issues).toEqual([`sampler/${name}@1.0.0: name ${JSON.stringify(name)} must be lowercase-kebab, like 'calibrated-grid'`]);
  });

  it.each(['calibrated-grid', 'grid2', 'a-1-b'])('accepts the name %j', (name) => {
    expect(() => new PluginRegistry().register(variant({ name }))).not.toThrow();
  });

  it.each(['1.0', 'v1.0.0', '1.0.0.0', '01.0.0', 'latest'])('rejects the version %j', (version) => {
    const e = pluginError(() => new PluginRegistry().register(variant({ version })));
    expect(e.issues).toEqual([`sampler/calibrated@${version}: version "${version}" must be a semver version, like '1.0.0'`]);
  });

  it.each(['0.1.0', '1.2.3-beta.1', '10.0.0+build.5'])('accepts the version %j', (version) => {
    expect(() => new PluginRegistry().register(variant({ version }))).not.toThrow();
  });

  it('rejects a missing create, options or description', () => {
    const e = pluginError(() => new PluginRegistry().register(variant({ create: undefined, options: { bins: 21 }, description: '' })));
    expect(e.issues).toEqual([
      'sampler/calibrated@1.0.0: description must be a non-empty string (got "")',
      'sampler/calibrated@1.0.0: options must be a zod schema, like z.object({ bins: z.number().default(21) }) (got {"bins":21})',
      'sampler/calibrated@1.0.0: create must be a function (options, context) => instance (got undefined)',
    ]);
  });

  it('collects every problem of every definition into one error', () => {
    const registry = new PluginRegistry();
    const bad = [variant({ name: 'Grid', version: '1', apiVersion: 0 }), 42 as unknown as PluginDefinition, variant({ kind: 'x', create: 1 })];
    const e = pluginError(() => registry.register(bad));
    expect(e.message.split('\n')).toEqual([
      "cannot register plugin sampler/Grid@1: name \"Grid\" must be lowercase-kebab, like 'calibrated-grid'; " +
        "version \"1\" must be a semver version, like '1.0.0'; " +
        'written for plugin API version 0, but this registry speaks version 1; use a release of the plugin built for API version 1',
      'cannot register plugin definition #2: must be an object (got 42)',
      `cannot register plugin x/calibrated@1.0.0: unknown kind "x" (kinds: ${PLUGIN_KINDS.join(', ')}); create must be a function (options, context) => instance (got 1)`,
    ]);
    expect(e.issues).toHaveLength(6);
    expect(e).toBeInstanceOf(UserError);
  });
});

describe('PluginRegistry.get', () => {
  const registry = new PluginRegistry();
  registry.register([calibrated, variant({ name: 'random' })]);

  it('lists the names of the kind for an unknown name', () => {
    const e = pluginError(() => registry.get('sampler', 'calibrated-grid'));
    expect(e.code).toBe('unknown_plugin');
    expect(e.message).toBe(`unknown sampler plugin "calibrated-grid" (sampler plugins: calibrated, random)`);
  });

  it('says when a kind has no plugins at all', () => {
    expect(pluginError(() => registry.get('optimizer', 'nsga2')).message).toBe('unknown optimizer plugin "nsga2" (no optimizer plugins are registered)');
  });

  it('lists the kinds for an unknown kind', () => {
    const e = pluginError(() => registry.get('samplers' as never, 'random'));
    expect(e.message).toBe(`unknown plugin kind "samplers" (kinds: ${PLUGIN_KINDS.join(', ')})`);
  });
});

describe('PluginRegistry.create', () => {
  const registry = new PluginRegistry();
  registry.register(calibrated);

  it('fills in the defaults, from absent or partial options', () => {
    expect(registry.create('sampler', 'calibrated', undefined, { seed: 7 })).toEqual({ bins: 21, perBin: 5, seed: 7 });
    expect(registry.create('sampler', 'calibrated', { bins: 3 }, { seed: 7 })).toEqual({ bins: 3, perBin: 5, seed: 7 });
  });

  it('reports every invalid field with its path, and does not call create', () => {
    const create = jest.fn();
    const spied = new PluginRegistry();
    spied.register(variant({ create }));
    const e = pluginError(() => spied.create('sampler', 'calibrated', { bins: 1, perBin: 'x' }, {}));
    expect(e.code).toBe('invalid_plugin_options');
    expect(e.message).toBe(`sampler 'calibrated' options: bins: must be >= 2 (got 1); perBin: expected a number (got "x")`);
    expect(e.issues).toEqual(['bins: must be >= 2 (got 1)', 'perBin: expected a number (got "x")']);
    expect(create).not.toHaveBeenCalled();
  });

  it('rejects an unknown option, naming the known ones', () => {
    const e = pluginError(() => registry.create('sampler', 'calibrated', { bins: 4, perbin: 2 }, {}));
    expect(e.message).toBe(`sampler 'calibrated' options: perbin: unknown option (options: bins, perBin)`);
  });

  it('names the plugin and keeps the cause when create rejects its input with a UserError', () => {
    const refusal = new UserError('bins (40) exceed the 30 sizes the space has', 'too_many_bins');
    const failing = new PluginRegistry();
    failing.register(
      variant({
        create: () => {
          throw refusal;
        },
      }),
    );
    const e = pluginError(() => failing.create('sampler', 'calibrated', {}, {}));
    expect(e.code).toBe('plugin_create_failed');
    expect(e.message).toBe('sampler/calibrated@1.0.0: bins (40) exceed the 30 sizes the space has');
    expect(e.cause).toBe(refusal);
  });

  it('reports a crash in create as a PluginCreateError (not a user error) naming the plugin', () => {
    const crash = new TypeError("Cannot read properties of undefined (reading 'size')");
    const failing = new PluginRegistry();
    failing.register(
      variant({
        create: () => {
          throw crash;
        },
      }),
    );
    let caught: unknown;
    try {
      failing.create('sampler', 'calibrated', {}, {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PluginCreateError);
    expect(caught).not.toBeInstanceOf(UserError);
    expect(caught).toMatchObject({
      message: "sampler/calibrated@1.0.0 failed in create: Cannot read properties of undefined (reading 'size')",
      plugin: 'sampler/calibrated@1.0.0',
      cause: crash,
    });
  });

  it('wraps the rejection of an asynchronous create the same way', async () => {
    const failing = new PluginRegistry();
    failing.register(variant({ kind: 'catalog-backend', name: 's3', create: async () => Promise.reject(new UserError('bucket "x" does not exist', 'no_bucket')) }));
    await expect(failing.create('catalog-backend', 's3', {}, {})).rejects.toMatchObject({
      code: 'plugin_create_failed',
      message: 'catalog-backend/s3@1.0.0: bucket "x" does not exist',
    });
  });
});

describe('PluginRegistry.list', () => {
  it('orders by kind in pipeline order, then by name, and filters by kind', () => {
    const registry = new PluginRegistry();
    registry.register([variant({ name: 'random' }), variant({ kind: 'optimizer', name: 'nsga2' }), calibrated, variant({ kind: 'search-space', name: 'joint' })]);
    expect(registry.list().map((p) => `${p.kind}/${p.name}`)).toEqual(['search-space/joint', 'sampler/calibrated', 'sampler/random', 'optimizer/nsga2']);
    expect(registry.list('sampler').map((p) => p.name)).toEqual(['calibrated', 'random']);
    expect(registry.list('objective')).toEqual([]);
  });
});
