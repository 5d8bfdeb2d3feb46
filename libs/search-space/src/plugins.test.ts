import { presetConfig } from '@carve/model';
import { PluginRegistry, runPluginContract } from '@carve/registry';
import { explicitSpacePlugin, jointSpacePlugin, layerwiseSpacePlugin } from './plugins';
import { SearchSpace } from './types';

const context = { config: presetConfig('stories260K'), layerOrder: [0, 1, 4, 2, 3] };

test.each([jointSpacePlugin, layerwiseSpacePlugin])('$name meets the plugin contract', async (plugin) => {
  const { instances } = await runPluginContract(plugin, {
    validOptions: [{}, { embedDim: [32, 64], exportRule: 'hf' }],
    invalidOptions: [{ options: { heads: [0] }, field: 'heads' }, { options: { exportRule: 'onnx' }, field: 'exportRule' }],
    context,
  });
  expect(instances[0].layerOrder).toEqual([0, 1, 4, 2, 3]);
});

test('explicit builds the space from its value lists, and names what is missing or wrong', () => {
  // No defaults: the value lists are the point of this space, so runPluginContract's {} check does not apply.
  const registry = new PluginRegistry();
  registry.register(explicitSpacePlugin);
  const lists = { embedDim: [32, 64], heads: [4, 8], headSize: [8], mlpHidden: [86, 172], depth: [3, 5] };
  const space = registry.create<SearchSpace>('search-space', 'explicit', lists, context);
  expect(space.size()).toBe(2n * 2n * 1n * 2n * 2n);
  expect(() => registry.create('search-space', 'explicit', { ...lists, depth: [], heads: undefined }, context)).toThrow(/heads: .*depth: /s);
  expect(() => registry.create('search-space', 'explicit', { ...lists, heads: [6] }, context)).toThrow('heads: 6 is not divisible by 4 KV groups');
});
