import { countParams, flopsPerToken, fullSubNetwork, presetConfig } from '@carve/model';
import { runPluginContract } from '@carve/registry';
import { flopsObjective, paramsObjective } from './plugins';

const config = presetConfig('stories260K');

test('params and flops meet the plugin contract and evaluate analytically', async () => {
  const full = fullSubNetwork(config);
  const params = (await runPluginContract(paramsObjective, { context: { config } })).instances[0];
  expect(await params.evaluate(full)).toBe(countParams(config, full));
  const flops = (await runPluginContract(flopsObjective, { validOptions: [{ seqLen: 64 }], invalidOptions: [{ options: { seqLen: 0 }, field: 'seqLen' }], context: { config } })).instances[0];
  expect(await flops.evaluate(full)).toBe(flopsPerToken(config, full, 64));
  expect(flops.direction).toBe('minimize');
});
