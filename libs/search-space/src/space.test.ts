/**
 * The contract every space keeps, run over a table of spaces (Optuna's sampler tests):
 * thousands of seeded samples, each checked against the model's own rules as well as the
 * space's, and every operator's output checked for membership.
 */
import { Rng } from '@carve/engine';
import { countParams, ModelConfig, presetConfig, resolveConfig, SubNetwork, subNetworkIssues } from '@carve/model';
import { explicitSpace, jointSpace, layerwiseSpace, SearchSpace } from './index';

const stories = presetConfig('stories260K');
/** GPT-2-style multi-head attention: any head count is valid, so hf's divisibility rule bites. */
const gptMini: ModelConfig = resolveConfig({ name: 'gpt2-mini', family: 'gpt2', vocabSize: 96, nEmbd: 96, nLayer: 4, nHead: 12, blockSize: 64 });
const SAMPLES = 2000;

const SPACES: [string, () => SearchSpace][] = [
  ['joint stories260K', () => jointSpace(stories)],
  ['layerwise stories260K', () => layerwiseSpace(stories)],
  ['joint stories260K hf', () => jointSpace(stories, { exportRule: 'hf' })],
  ['layerwise stories260K hf, layer order', () => layerwiseSpace(stories, { exportRule: 'hf', layerOrder: [4, 2, 0, 1, 3] })],
  ['joint gpt2-mini', () => jointSpace(gptMini)],
  ['layerwise gpt2-mini, layer order', () => layerwiseSpace(gptMini, { layerOrder: [3, 0, 2, 1], minDepth: 2 })],
  ['joint gpt2-mini hf', () => jointSpace(gptMini, { exportRule: 'hf' })],
  ['layerwise gpt2-mini hf', () => layerwiseSpace(gptMini, { exportRule: 'hf' })],
  ['explicit gpt2-mini hf', () => explicitSpace(gptMini, { embedDim: [20, 48, 96], heads: [3, 4, 5, 12], headSize: [4, 8], mlpHidden: [96, 384], depth: [1, 4] }, { exportRule: 'hf' })],
  ['explicit stories260K layerwise', () => explicitSpace(stories, { embedDim: [32, 64], heads: [4, 8], headSize: [8], mlpHidden: [86, 172], depth: [3, 4, 5] }, { layerwise: true })],
  ['joint pythia-14m (partial RoPE)', () => jointSpace(presetConfig('pythia-14m'))],
];

/** The hf rule checked from its definition, independently of space.issues. */
function hfHolds(s: SubNetwork): boolean {
  const [first] = s.layers;
  return s.embedDim % first.heads === 0 && s.layers.every((l) => l.heads === first.heads && l.mlpHidden === first.mlpHidden);
}

describe.each(SPACES)('%s', (_, make) => {
  const space = make();
  const c = space.config;
  const rng = new Rng(7);
  const samples = Array.from({ length: SAMPLES }, () => space.sample(rng));
  const isMember = (s: SubNetwork) => subNetworkIssues(c, s).length === 0 && space.issues(s).length === 0;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

  test('every sample is valid for the model and the space, and keeps the export rule', () => {
    expect(samples.flatMap((s) => subNetworkIssues(c, s))).toEqual([]);
    expect(samples.flatMap((s) => space.issues(s))).toEqual([]);
    if (space.exportRule === 'hf') expect(samples.filter((s) => !hfHolds(s))).toEqual([]);
  });

  test('depth keeps the first layers of layerOrder, in model order', () => {
    const kept = (d: number) => [...space.layerOrder.slice(0, d)].sort((a, b) => a - b).join();
    expect(samples.filter((s) => s.layers.map((l) => l.index).join() !== kept(s.layers.length))).toEqual([]);
  });

  test('the same seed gives the same sequence', () => {
    const again = new Rng(7);
    expect(Array.from({ length: 50 }, () => space.sample(again))).toEqual(samples.slice(0, 50));
  });

  test('each value of a global dimension is drawn about equally often', () => {
    for (const dim of space.dimensions.filter((d) => d.scope === 'global' && !(space.exportRule && (d.name === 'embedDim' || d.name === 'heads')))) {
      const pick = (s: SubNetwork) => ({ embedDim: s.embedDim, headSize: s.headSize, depth: s.layers.length, heads: s.layers[0].heads, mlpHidden: s.layers[0].mlpHidden })[dim.name];
      for (const v of dim.values) {
        const share = samples.filter((s) => pick(s) === v).length / SAMPLES;
        expect(Math.abs(share * dim.values.length - 1)).toBeLessThan(0.3);
      }
    }
  });

  test('decode inverts encode on members, and decodes any vector to a member', () => {
    const length = space.encode(samples[0]).length;
    const encoded = samples.map((s) => space.encode(s));
    expect(encoded.filter((v) => v.length !== length || v.some((x) => !(x >= 0 && x <= 1)))).toEqual([]);
    expect(samples.filter((s, i) => !same(space.decode(encoded[i]), s))).toEqual([]);
    const r = new Rng(11);
    const decoded = Array.from({ length: SAMPLES }, () => space.decode(Array.from({ length }, () => r.uniform(-0.5, 1.5))));
    expect(decoded.filter((s) => !isMember(s))).toEqual([]);
    const reencoded = decoded.map((s) => space.encode(s));
    expect(decoded.filter((s, i) => !same(space.decode(reencoded[i]), s))).toEqual([]);
    expect(reencoded.filter((v) => !same(space.encode(space.decode(v)), v))).toEqual([]);
  });

  test('mutate, crossover and neighbours return members', () => {
    const r = new Rng(3);
    const pairs = samples.slice(0, SAMPLES / 4).map((a, i) => [a, samples[i + 1]]);
    const mutated = pairs.flatMap(([a]) => [0.1, 0.5, 1].map((rate) => space.mutate(a, r, rate)));
    const crossed = pairs.map(([a, b]) => space.crossover(a, b, r));
    const near = pairs.flatMap(([a]) => space.neighbours(a));
    expect([...mutated, ...crossed, ...near].filter((s) => !isMember(s))).toEqual([]);
    expect(pairs.filter(([a]) => !same(space.mutate(a, r, 0), a) || !same(space.crossover(a, a, r), a))).toEqual([]);
    for (const [a] of pairs.slice(0, 50)) {
      const keys = space.neighbours(a).map((n) => JSON.stringify(n));
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).not.toContain(JSON.stringify(a));
    }
  });

  test('smallest and largest are members with the fewest and the most parameters', () => {
    const [lo, hi] = [space.smallest(), space.largest()];
    expect(isMember(lo)).toBe(true);
    expect(isMember(hi)).toBe(true);
    const params = samples.slice(0, SAMPLES / 2).map((s) => countParams(c, s));
    expect(Math.min(...params)).toBeGreaterThanOrEqual(countParams(c, lo));
    expect(Math.max(...params)).toBeLessThanOrEqual(countParams(c, hi));
  });

  test('operations refuse points outside the space, naming the space and the model', () => {
    const outside = { ...samples[0], embedDim: c.nEmbd + 1 };
    const where = `${space.name} space for '${c.name}'`;
    expect(() => space.encode(outside)).toThrow(`${where}: encode: the sub-network is not in the space: embedDim: ${c.nEmbd + 1} is not an integer in [1, ${c.nEmbd}]`);
    expect(() => space.mutate(samples[0], rng, 2)).toThrow(`${where}: mutate: rate must be in [0, 1], got 2`);
    const length = space.encode(samples[0]).length;
    expect(() => space.decode([0])).toThrow(`${where}: decode: expected ${length} entries, got 1`);
    expect(() => space.decode(Array.from({ length }, () => NaN))).toThrow(`${where}: decode: entry 0 is NaN`);
  });
});
