import { UserError } from '@carve/engine';
import { z } from 'zod';
import { runPluginContract } from './contract';
import { PluginError } from './errors';
import { definePlugin, PLUGIN_API_VERSION, PluginDefinition } from './plugin';

/** A toy grid sampler: what a plugin author would hand to the contract. */
const grid = definePlugin({
  kind: 'sampler',
  name: 'toy-grid',
  version: '0.1.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'evenly spaced sizes',
  options: z.object({ points: z.number().int().min(2).default(5), layers: z.array(z.object({ heads: z.number().int().min(1) })).default([]) }),
  create: (options, context: { maxSize: number }) => ({
    sizes: Array.from({ length: options.points }, (_, i) => Math.round((context.maxSize * (i + 1)) / options.points)),
  }),
});

/** The toy with some fields replaced, for authors' usual mistakes. */
function variant(fields: Record<string, unknown>): PluginDefinition {
  return { ...grid, ...fields } as PluginDefinition;
}

const CASES = {
  validOptions: [{}, { points: 2 }],
  invalidOptions: [
    { options: { points: 1 }, field: 'points' },
    { options: { layers: [{ heads: 0 }] }, field: 'layers' },
  ],
  context: { maxSize: 100 },
};

/** The PluginError a failing contract run rejects with. */
async function contractError(def: PluginDefinition, cases: Parameters<typeof runPluginContract>[1]): Promise<PluginError> {
  const e = await runPluginContract(def, cases).then(
    () => new Error('expected the contract to fail'),
    (error: unknown) => error,
  );
  if (e instanceof PluginError && e.code === 'plugin_contract_failed') return e;
  throw e;
}

describe('runPluginContract', () => {
  it('passes a plugin that meets it, returning its defaults and instances', async () => {
    const result = await runPluginContract(grid, CASES);
    expect(result.defaults).toEqual({ points: 5, layers: [] });
    expect(result.instances).toEqual([{ sizes: [20, 40, 60, 80, 100] }, { sizes: [50, 100] }]);
  });

  it('awaits an asynchronous create', async () => {
    const asyncGrid = definePlugin({ ...grid, create: async (options: { points: number }) => ({ points: options.points }) });
    expect((await runPluginContract(asyncGrid, { context: {} })).instances).toEqual([{ points: 5 }]);
  });

  it('stops at a definition the registry refuses', async () => {
    const e = await contractError(variant({ name: 'Toy' }), CASES);
    expect(e.message).toBe(
      "sampler/Toy does not meet the plugin contract:\n- does not register: cannot register plugin sampler/Toy@0.1.0: name \"Toy\" must be lowercase-kebab, like 'calibrated-grid'",
    );
  });

  it('lists every failed check at once', async () => {
    const strict = variant({
      options: z.object({ points: z.number().int().min(2), label: z.string().default('grid') }),
      create: (options: { points: number }) => {
        if (options.points > 10) throw new UserError('at most 10 points', 'too_many_points');
        return options.points === 3 ? undefined : {};
      },
    });
    const e = await contractError(strict, {
      validOptions: [{ points: 3 }, { points: 'x' }],
      invalidOptions: [
        { options: { points: 4 }, field: 'points' },
        { options: { points: 11 }, field: 'points' },
        { options: { label: 7, points: 4 }, field: 'points' },
      ],
      context: {},
    });
    expect(e.issues).toEqual([
      'the defaults do not parse; give every option a default (points: required (expected a number))',
      'validOptions[0] {"points":3}: create returned undefined; it must return the instance',
      `validOptions[1] {"points":"x"} were refused: sampler 'toy-grid' options: points: expected a number (got "x")`,
      `invalidOptions[0] {"points":4} were accepted; the schema must reject them naming 'points'`,
      'invalidOptions[1] {"points":11} passed the schema and failed in create (sampler/toy-grid@0.1.0: at most 10 points); reject them in the schema',
      `invalidOptions[2] {"label":7,"points":4} were rejected, but no issue names 'points': label: expected a string (got 7)`,
    ]);
    expect(e.message.split('\n')[0]).toBe('sampler/toy-grid@0.1.0 does not meet the plugin contract:');
  });
});
