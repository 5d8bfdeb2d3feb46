import { countParams, presetConfig, SubNetwork } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { jointSpace } from '@carve/search-space';
import { subNetworkDomain } from './domains';
import { Optimizer, OptimizerOptions, SearchState } from './optimizer';
import { optimizerPlugins } from './plugins';
import { Strategy } from './strategy';

const config = presetConfig('stories260K');
const domain = subNetworkDomain(jointSpace(config));
const registry = new PluginRegistry();
registry.register(optimizerPlugins);

/** A stand-in loss: falls with size and depth, with a fixed wobble so the front is not a line. */
function fakeLoss(s: SubNetwork): number {
  const params = countParams(config, s);
  return 1 + 2e4 / params + 0.05 * Math.sin(s.embedDim * 7 + s.layers.length * 3 + s.headSize);
}

function settings(strategy: string, seed = 1): OptimizerOptions<SubNetwork> {
  return {
    domain,
    createStrategy: (ctx) => registry.create<Strategy<SubNetwork>>('optimizer', strategy, {}, ctx),
    strategyName: strategy,
    strategyOptions: {},
    objectives: [
      { name: 'params', direction: 'minimize' },
      { name: 'loss', direction: 'minimize' },
    ],
    constraints: [{ objective: 'loss', max: 2.5 }],
    budget: 60,
    seed,
  };
}

/** Asks and tells until `until` trials, evaluating the two objectives. */
function runTo(optimizer: Optimizer<SubNetwork>, until: number): void {
  while (optimizer.trials.length < until) {
    const s = optimizer.ask();
    if (s === undefined) break;
    optimizer.tell(s, [countParams(config, s), fakeLoss(s)], { depth: s.layers.length });
  }
}

describe.each(optimizerPlugins.map((p) => p.name))('resuming a %s search', (strategy) => {
  const whole = new Optimizer(settings(strategy));
  runTo(whole, 60);
  const saved: SearchState<SubNetwork> = JSON.parse(JSON.stringify(whole.state()));

  test('the state is plain JSON with the settings and every trial', () => {
    expect(whole.trials).toHaveLength(60);
    // The smallest sub-networks break the loss constraint, so replay covers violations too.
    expect(whole.trials.some((t) => !t.feasible)).toBe(true);
    expect(saved).toMatchObject({ format: 1, domain: 'joint', strategy, strategyOptions: {}, seed: 1, budget: 60, anchors: true });
    expect(saved.reference).toEqual(whole.reference);
    expect(saved.trials[5]).toEqual({ choice: whole.trials[5].choice, values: whole.trials[5].values, details: whole.trials[5].details });
  });

  test('replaying the first 30 trials and continuing gives the uninterrupted search', () => {
    const resumed = Optimizer.resume(settings(strategy), { ...saved, trials: saved.trials.slice(0, 30) });
    expect(resumed.trials).toHaveLength(30);
    runTo(resumed, 60);
    expect(resumed.ask()).toBeUndefined();
    expect(JSON.stringify(resumed.trials)).toBe(JSON.stringify(whole.trials));
    expect(resumed.hypervolume()).toBe(whole.hypervolume());
  });

  test('settings that differ from the saved ones are refused, each named; the order of keys does not matter', () => {
    const reordered = settings(strategy);
    const objectives = reordered.objectives.map(({ name, direction }) => ({ direction, name }));
    expect(() => Optimizer.resume({ ...reordered, objectives }, saved)).not.toThrow();
    expect(() => Optimizer.resume({ ...settings(strategy, 2), budget: 80 }, saved)).toThrow(
      'cannot resume the saved search with these settings: seed: saved 1, given 2; budget: saved 60, given 80; resume with the settings it was saved with',
    );
  });

  test('a log replayed under another seed stops where the search diverges', () => {
    expect(() => new Optimizer(settings(strategy, 2)).replay(saved.trials)).toThrow(
      /^the resumed search diverged at trial \d+: it asked \{.*\}, but the log holds \{.*\}; the settings \(seed, strategy, its options, domain or budget\) must have changed since the log was written$/,
    );
  });
});
