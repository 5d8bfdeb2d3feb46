import { runPluginContract } from '@carve/registry';
import { activationImportancePlugin, importancePlugins, magnitudeImportancePlugin } from './plugins';

test('the activation scorer meets the plugin contract', async () => {
  const { instances } = await runPluginContract(activationImportancePlugin, {
    validOptions: [{}, { statistic: 'l2', layerScoring: 'drop' }],
    invalidOptions: [{ options: { statistic: 'median' }, field: 'statistic' }],
    context: undefined,
  });
  expect(instances[1].defaults).toMatchObject({ statistic: 'l2', layerScoring: 'drop', batchSize: 8 });
});

test('the magnitude scorer meets the plugin contract', async () => {
  const { defaults, instances } = await runPluginContract(magnitudeImportancePlugin, {
    validOptions: [{}, { norm: 'l1' }],
    invalidOptions: [{ options: { norm: 'l3' }, field: 'norm' }],
    context: undefined,
  });
  expect(defaults).toEqual({ norm: 'l2' });
  expect(instances.map((s) => s.defaults)).toEqual([{ norm: 'l2' }, { norm: 'l1' }]);
});

test('both built-in scorers are registered together', () => {
  expect(importancePlugins.map((p) => p.name)).toEqual(['activation', 'magnitude']);
});
