import { createRegistry, parseRunSpec } from '@carve/pipeline';
import { mergeSpec } from './definition';
import { paperExperiment } from './experiments/paper';
import { getExperiment } from './experiments';
import { armSpec, chooseArms } from './run-experiment';

test('mergeSpec merges objects at every level and replaces everything else', () => {
  const base = { training: { steps: 200, lora: { rank: 8, alpha: 16 } }, evaluation: { tasks: [{ name: 'a' }, { name: 'b' }] }, seed: 1 };
  expect(mergeSpec(base, { training: { lora: { rank: 4 } }, evaluation: { tasks: [{ name: 'c' }] }, seed: 2 })).toEqual({
    training: { steps: 200, lora: { rank: 4, alpha: 16 } },
    evaluation: { tasks: [{ name: 'c' }] },
    seed: 2,
  });
  expect(base.training.lora.rank).toBe(8);
});

describe('the paper experiment', () => {
  const registry = createRegistry([], process.cwd());
  const options = { definition: paperExperiment, base: { training: { steps: 300 } }, quick: true, out: '/tmp/x' };

  test.each(paperExperiment.arms({ quick: true }).map((a) => [a.name, a] as const))('arm %s is a valid spec whose plugins and their options exist', (_, arm) => {
    const spec = parseRunSpec(armSpec(options, arm, 2, arm.name === 'method'));
    expect(spec.seed).toBe(2);
    expect(spec.output).toMatchObject({ catalog: 'local', root: '/tmp/x/catalog' });
    // The quick settings win over the base spec's.
    expect(spec.training.steps).toBe(100);
    for (const [kind, ref] of [['sampler', spec.sampler], ['training-strategy', spec.training.strategy], ['optimizer', spec.search.strategy], ['search-space', spec.space]] as const) {
      expect({ kind, name: ref.name, valid: registry.get(kind, ref.name).options.safeParse(ref.options).success }).toEqual({ kind, name: ref.name, valid: true });
    }
    for (const m of spec.baselines.methods) expect(registry.get('baseline', m.name).options.safeParse(m.options).success).toBe(true);
    expect(spec.baselines.methods.length > 0).toBe(arm.name === 'method');
  });

  test('the arms differ from the method in what they say and only there', () => {
    const method = parseRunSpec(armSpec(options, paperExperiment.arms({ quick: true })[0], 0, false));
    const byName = Object.fromEntries(paperExperiment.arms({ quick: true }).map((a) => [a.name, parseRunSpec(armSpec(options, a, 0, false))]));
    expect(byName['sampler-random'].sampler.name).toBe('random');
    expect(byName['no-importance'].importance.enabled).toBe(false);
    expect(byName['no-kd'].training.strategy).toEqual({ name: 'sandwich', options: {} });
    expect(byName['kd-js'].training.strategy).toEqual({ name: 'sandwich-kd', options: { divergence: 'js' } });
    expect(byName['lora-rank-32'].training.lora).toEqual({ rank: 32, alpha: 64, dropout: 0 });
    expect(byName['full-weights'].training.full).toBe(true);
    expect(byName['lr-1e-3'].training.lr).toBe(1e-3);
    expect(method.training.lr).toBe(3e-3);
    expect(byName['search-random'].search.strategy.name).toBe('random');
    const { name: _n, ...rest } = method;
    for (const [arm, spec] of Object.entries(byName)) {
      const differing = Object.keys(rest).filter((k) => JSON.stringify((spec as Record<string, unknown>)[k]) !== JSON.stringify((rest as Record<string, unknown>)[k]));
      expect({ arm, differing: differing.length <= 1 }).toEqual({ arm, differing: true });
    }
  });

  test('arms are chosen by name, the method always first; an unknown arm or experiment is named', () => {
    expect(chooseArms(paperExperiment, false, ['no-kd']).map((a) => a.name)).toEqual(['method', 'no-kd']);
    expect(() => chooseArms(paperExperiment, false, ['no-kd', 'nope'])).toThrow("experiment 'paper' has no arm 'nope' (arms: method, sampler-random, sampler-param-grid, no-importance, no-kd, kd-js, lora-rank-32, full-weights, lr-1e-3, search-random)");
    expect(() => getExperiment('papers')).toThrow("unknown experiment 'papers' (known: paper)");
  });
});
