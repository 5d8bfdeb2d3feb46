import { runPluginContract } from '@carve/registry';
import { activationImportancePlugin } from './plugins';

test('the activation scorer meets the plugin contract', async () => {
  const { instances } = await runPluginContract(activationImportancePlugin, {
    validOptions: [{}, { statistic: 'l2', layerScoring: 'drop' }],
    invalidOptions: [{ options: { statistic: 'median' }, field: 'statistic' }],
    context: undefined,
  });
  expect(instances[1].defaults).toMatchObject({ statistic: 'l2', layerScoring: 'drop', batchSize: 8 });
});
