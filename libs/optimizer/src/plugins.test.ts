import { Rng } from '@carve/engine';
import { presetConfig } from '@carve/model';
import { PluginRegistry, runPluginContract } from '@carve/registry';
import { jointSpace } from '@carve/search-space';
import { continuousDomain, subNetworkDomain } from './domains';
import { optimizerPlugins } from './plugins';
import { Domain, Strategy, StrategyContext } from './strategy';

const INVALID: Record<string, { options: unknown; field: string }[]> = {
  random: [],
  nsga2: [
    { options: { population: 1 }, field: 'population' },
    { options: { crossoverProbability: 2 }, field: 'crossoverProbability' },
  ],
  'mo-rea': [
    { options: { population: 4, sampleSize: 5 }, field: 'sampleSize' },
    { options: { mutationRate: -1 }, field: 'mutationRate' },
  ],
  'local-search': [{ options: { pick: 'best' }, field: 'pick' }],
  parego: [{ options: { rho: -1 }, field: 'rho' }],
};

const context = (domain: Domain<unknown>, seed = 1): StrategyContext<unknown> => ({ domain, objectives: 2, rng: new Rng(seed), budget: 100 });

const registry = new PluginRegistry();
registry.register(optimizerPlugins);
/** Populations small enough that a few dozen results reach the strategies' later stages. */
const SMALL: Record<string, unknown> = { nsga2: { population: 4 }, 'mo-rea': { population: 4, sampleSize: 2 } };
const create = (name: string, ctx: StrategyContext<unknown>, options: unknown = SMALL[name] ?? {}) => registry.create<Strategy<unknown>>('optimizer', name, options, ctx);

const domains: Domain<unknown>[] = [continuousDomain(4) as Domain<unknown>, subNetworkDomain(jointSpace(presetConfig('stories260K'))) as Domain<unknown>];

describe.each(optimizerPlugins)('$name', (plugin) => {
  test('meets the plugin contract', async () => {
    const invalidOptions = [{ options: { nonsense: 1 }, field: 'nonsense' }, ...INVALID[plugin.name]];
    const { instances } = await runPluginContract(plugin, { validOptions: [{}], invalidOptions, context: context(domains[0]) });
    expect(instances[0].ask()).toHaveLength(4);
  });

  test.each(domains.map((d) => [d.name, d] as const))('on %s, accepts results it did not ask for, repeats included, and keeps proposing members', (_name, domain) => {
    const strategy = create(plugin.name, context(domain));
    const rng = new Rng(5);
    const tell = (choice: unknown) => strategy.tell({ choice, key: domain.key(choice), point: [rng.next(), rng.next()], violation: rng.next() < 0.3 ? rng.next() : 0 });
    const strangers = Array.from({ length: 6 }, () => domain.sample(rng));
    [...domain.anchors(), ...strangers, strangers[0], strangers[0]].forEach(tell);
    for (let i = 0; i < 30; i++) {
      const choice = strategy.ask();
      expect(domain.key(domain.decode(domain.encode(choice)))).toBe(domain.key(choice));
      tell(i % 3 === 0 ? strangers[1] : choice);
    }
  });

  test('is deterministic given the generator and the results told', () => {
    const proposals = (seed: number) => {
      const domain = domains[0];
      const strategy = create(plugin.name, context(domain, seed));
      return Array.from({ length: 40 }, () => {
        const choice = strategy.ask() as number[];
        strategy.tell({ choice, key: domain.key(choice), point: [choice[0], 1 - choice[0] + choice[1]], violation: 0 });
        return domain.key(choice);
      });
    };
    expect(proposals(3)).toEqual(proposals(3));
    expect(proposals(3)).not.toEqual(proposals(4));
  });
});
