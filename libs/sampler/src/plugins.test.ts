import { Rng } from '@carve/engine';
import { presetConfig, SubNetwork } from '@carve/model';
import { runPluginContract } from '@carve/registry';
import { jointSpace } from '@carve/search-space';
import { samplerPlugins } from './plugins';
import { paramsOf } from './sampler';

const space = jointSpace(presetConfig('stories260K'));
const context = { space, rng: new Rng(1), weightMagnitude: (s: SubNetwork) => paramsOf(space, s) };

test.each(samplerPlugins)('$name meets the plugin contract and samples', async (plugin) => {
  const { instances } = await runPluginContract(plugin, { validOptions: [{}], invalidOptions: [{ options: { nonsense: 1 }, field: 'nonsense' }], context });
  const drawn = await instances[0].sample(4);
  expect(drawn.length).toBeGreaterThan(0);
  expect(drawn.every((s) => space.issues(s).length === 0)).toBe(true);
});

test('bin options are validated by the schema', async () => {
  const calibrated = samplerPlugins.find((p) => p.name === 'calibrated')!;
  await runPluginContract(calibrated, { invalidOptions: [{ options: { bins: 1 }, field: 'bins' }, { options: { perBin: 'x' }, field: 'perBin' }], context });
});
