import { Rng } from '@carve/engine';
import { Checkpoint, float32Of, fullSubNetwork, headsOf, mlpHiddenOf, ModelConfig, ModelConfigInput, queryGroupsOf, resolveConfig, initWeights, SubNetwork, weightMagnitude } from '@carve/model';
import { PluginError, PluginRegistry } from '@carve/registry';
import { CalibrationSet } from './calibration';
import { MagnitudeNorm, scoreMagnitude } from './magnitude';
import { ImportanceOrders, importanceOrders } from './orders';
import { permuteModel } from './permute';
import { getScorer, ImportanceScorer, magnitudeScorer } from './scorer';
import { importancePlugins } from './plugins';
import { ImportanceScores } from './scoring';

const LLAMA: ModelConfigInput = { name: 'l', family: 'llama', vocabSize: 30, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 };
const GPT2: ModelConfigInput = { name: 'g', family: 'gpt2', vocabSize: 30, nEmbd: 12, nLayer: 2, nHead: 3, blockSize: 8 };

/** Random weights with non-trivial norm gains and biases, so a missed or mis-assigned one shows. */
function randomModel(input: ModelConfigInput, seed: number): Checkpoint {
  const config = resolveConfig(input);
  const weights = initWeights(config, new Rng(seed), 0.3);
  const rng = new Rng(seed + 100);
  for (const [name, w] of weights) if (/norm|bias/.test(name)) w.forEach((v, i) => (w[i] = v + 0.5 * rng.normal()));
  return { config, weights };
}

/**
 * The documented definition written out per named weight, without paramSpecs: sums of
 * |w| or w² over rows or columns of each [in, out] matrix, then the root for l2.
 */
function oracle(model: Checkpoint, norm: MagnitudeNorm): ImportanceScores {
  const c: ModelConfig = model.config;
  const p = (v: number) => (norm === 'l2' ? v * v : Math.abs(v));
  const root = (v: number) => (norm === 'l2' ? Math.sqrt(v) : v);
  const w = (name: string) => (model.weights.has(name) ? float32Of(model.weights.get(name)!) : undefined);
  const el = (name: string, i: number) => (w(name) ? p(w(name)![i]) : 0);
  /** Σ p over column j of `name`, a matrix of `cols` columns. */
  const col = (name: string, cols: number, j: number) => {
    const data = w(name);
    if (!data) return 0;
    let s = 0;
    for (let i = j; i < data.length; i += cols) s += p(data[i]);
    return s;
  };
  const row = (name: string, cols: number, i: number) => {
    const data = w(name);
    if (!data) return 0;
    let s = 0;
    for (let j = 0; j < cols; j++) s += p(data[i * cols + j]);
    return s;
  };
  const at = (l: number, rest: string) => `layers.${l}.${rest}`;
  const E = c.nEmbd;
  const hs = c.headSize;
  const layers = Array.from({ length: c.nLayer }, (_, l) => l);
  const fc = c.mlp === 'swiglu' ? ['gate', 'up'] : ['fc'];
  const out = c.mlp === 'swiglu' ? 'down' : 'proj';

  const channels = Array.from({ length: E }, (_, i) => {
    let s = col('wte', E, i) + col('wpe', E, i) + row('lm_head.weight', c.vocabSize, i) + el('norm_f.weight', i) + el('norm_f.bias', i);
    for (const l of layers) {
      const H = headsOf(c, l) * hs;
      const KV = queryGroupsOf(c, l) * hs;
      const M = mlpHiddenOf(c, l);
      for (const n of ['norm_1', 'norm_2']) s += el(at(l, `${n}.weight`), i) + el(at(l, `${n}.bias`), i);
      s += row(at(l, 'attn.q.weight'), H, i) + row(at(l, 'attn.k.weight'), KV, i) + row(at(l, 'attn.v.weight'), KV, i);
      s += col(at(l, 'attn.o.weight'), E, i) + el(at(l, 'attn.o.bias'), i);
      for (const f of fc) s += row(at(l, `mlp.${f}.weight`), M, i);
      s += col(at(l, `mlp.${out}.weight`), E, i) + el(at(l, `mlp.${out}.bias`), i);
    }
    return root(s);
  });
  const heads = layers.map((l) => {
    const H = headsOf(c, l) * hs;
    const KV = queryGroupsOf(c, l) * hs;
    const perGroup = headsOf(c, l) / queryGroupsOf(c, l);
    return Array.from({ length: queryGroupsOf(c, l) }, (_, g) =>
      Array.from({ length: perGroup }, (_, q) => {
        let s = 0;
        for (let d = 0; d < hs; d++) {
          const f = (g * perGroup + q) * hs + d;
          const kv = g * hs + d;
          s += col(at(l, 'attn.q.weight'), H, f) + el(at(l, 'attn.q.bias'), f) + row(at(l, 'attn.o.weight'), E, f);
          s += (col(at(l, 'attn.k.weight'), KV, kv) + col(at(l, 'attn.v.weight'), KV, kv) + el(at(l, 'attn.k.bias'), kv) + el(at(l, 'attn.v.bias'), kv)) / perGroup;
        }
        return root(s);
      }),
    );
  });
  const neurons = layers.map((l) => {
    const M = mlpHiddenOf(c, l);
    return Array.from({ length: M }, (_, j) => {
      let s = row(at(l, `mlp.${out}.weight`), E, j);
      for (const f of fc) s += col(at(l, `mlp.${f}.weight`), M, j) + el(at(l, `mlp.${f}.bias`), j);
      return root(s);
    });
  });
  const layerScores = layers.map((l) => root([...model.weights].filter(([name]) => name.startsWith(`layers.${l}.`)).reduce((a, [, d]) => a + float32Of(d).reduce((x, v) => x + p(v), 0), 0)));
  return { statistic: `magnitude-${norm}`, layerScoring: 'magnitude', heads, neurons, channels, layers: layerScores };
}

/** Every score equal to within float32 rounding of the weights' sums. */
function expectClose(actual: ImportanceScores, expected: ImportanceScores): void {
  expect({ statistic: actual.statistic, layerScoring: actual.layerScoring }).toEqual({ statistic: expected.statistic, layerScoring: expected.layerScoring });
  expect(actual.heads.map((l) => l.map((g) => g.length))).toEqual(expected.heads.map((l) => l.map((g) => g.length)));
  expect(actual.neurons.map((l) => l.length)).toEqual(expected.neurons.map((l) => l.length));
  const flat = (s: ImportanceScores) => [...s.heads.flat(2), ...s.neurons.flat(), ...s.channels, ...s.layers];
  const [a, e] = [flat(actual), flat(expected)];
  expect(a).toHaveLength(e.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(e[i], 9));
}

describe('scoreMagnitude matches the definition written out per weight', () => {
  test.each([
    ['Llama (RMSNorm, SwiGLU, GQA, untied)', LLAMA],
    ['GPT-2 (LayerNorm with biases, GELU, learned positions, tied)', GPT2],
    ['Llama with per-layer widths', { ...LLAMA, layerHeads: [4, 2], layerMlpHidden: [24, 10] }],
    ['GPT-2 MHA with per-layer heads', { ...GPT2, layerHeads: [3, 1], layerMlpHidden: [48, 20] }],
  ] as [string, ModelConfigInput][])('%s', (_name, input) => {
    const model = randomModel(input, 1);
    for (const norm of ['l1', 'l2'] as const) expectClose(scoreMagnitude(model, { norm }), oracle(model, norm));
    expect(scoreMagnitude(model)).toEqual(scoreMagnitude(model, { norm: 'l2' }));
  });

  test('l1 and l2 give different scores, so the norm really is applied', () => {
    const model = randomModel(LLAMA, 2);
    expect(scoreMagnitude(model, { norm: 'l1' }).channels).not.toEqual(scoreMagnitude(model, { norm: 'l2' }).channels);
  });

  test('a bad norm and missing or mis-sized weights are reported together', () => {
    const model = randomModel(LLAMA, 3);
    const weights = new Map(model.weights);
    weights.delete('wte');
    weights.set('norm_f.weight', new Float32Array(3));
    expect(() => scoreMagnitude({ ...model, weights }, { norm: 'l3' as never })).toThrow(
      "magnitude scoring of 'l': unknown norm 'l3' (known: l1, l2); no weights for 'wte'; 'norm_f.weight' has 3 values, expected 16 ([16])",
    );
  });
});

function randomOrders(c: ModelConfig, rng: Rng): ImportanceOrders {
  const perm = (n: number) => rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return {
    channels: perm(c.nEmbd),
    heads: Array.from({ length: c.nLayer }, (_, l) => {
      const groups = perm(queryGroupsOf(c, l));
      return { groups, queries: groups.map(() => perm(headsOf(c, l) / queryGroupsOf(c, l))) };
    }),
    neurons: Array.from({ length: c.nLayer }, (_, l) => perm(mlpHiddenOf(c, l))),
    layers: perm(c.nLayer),
  };
}

test.each([
  ['Llama', LLAMA],
  ['GPT-2', GPT2],
] as [string, ModelConfigInput][])('permuting %s permutes its scores alike', (_name, input) => {
  const model = randomModel(input, 4);
  const o = randomOrders(model.config, new Rng(5));
  const before = scoreMagnitude(model, { norm: 'l2' });
  const after = scoreMagnitude(permuteModel(model, o).model, { norm: 'l2' });
  // Position i of the permuted model holds old unit o[i]; layers are not moved by permuteModel.
  const expected: ImportanceScores = {
    ...before,
    channels: o.channels.map((i) => before.channels[i]),
    heads: o.heads.map(({ groups, queries }, l) => groups.map((g, i) => queries[i].map((q) => before.heads[l][g][q]))),
    neurons: o.neurons.map((order, l) => order.map((i) => before.neurons[l][i])),
  };
  expect(after.channels).not.toEqual(before.channels);
  expectClose(after, expected);
});

test('the leading slice of the magnitude-sorted model keeps more weight than the trailing one', () => {
  const model = randomModel(LLAMA, 6);
  const c = model.config;
  const orders = importanceOrders(c, scoreMagnitude(model, { norm: 'l1' }));
  const reverse = (o: ImportanceOrders): ImportanceOrders => ({
    channels: [...o.channels].reverse(),
    heads: o.heads.map(({ groups, queries }) => ({ groups: [...groups].reverse(), queries: [...queries].reverse().map((q) => [...q].reverse()) })),
    neurons: o.neurons.map((n) => [...n].reverse()),
    layers: [...o.layers].reverse(),
  });
  const half: SubNetwork = { ...fullSubNetwork(c), embedDim: c.nEmbd / 2, layers: fullSubNetwork(c).layers.map((l) => ({ ...l, heads: l.heads / 2, mlpHidden: l.mlpHidden / 2 })) };
  const leading = weightMagnitude(permuteModel(model, orders).model)(half);
  const trailing = weightMagnitude(permuteModel(model, reverse(orders)).model)(half);
  const unsorted = weightMagnitude(model)(half);
  expect(leading).toBeGreaterThan(unsorted);
  expect(unsorted).toBeGreaterThan(trailing);
});

describe('the magnitude scorer and plugin', () => {
  const registry = new PluginRegistry();
  registry.register(importancePlugins);
  const model = randomModel(GPT2, 7);
  // Magnitude reads no data; an empty set shows that nothing in it is needed.
  const calibration: CalibrationSet = { sequences: [], record: { files: [], seqLen: 4, samples: 0, seed: 0, available: 0, windows: [] } };

  test('is listed among the scorers and ignores the calibration set', async () => {
    expect(getScorer('magnitude')).toBe(magnitudeScorer);
    expect(() => getScorer('taylor')).toThrow("unknown importance scorer 'taylor' (known: activation, magnitude)");
    expect(await magnitudeScorer.score(model, calibration)).toEqual(scoreMagnitude(model, { norm: 'l2' }));
    expect(await magnitudeScorer.score(model, calibration, { norm: 'l1' })).toEqual(scoreMagnitude(model, { norm: 'l1' }));
  });

  test("registry.create binds the options: score(model, calibration) gives that norm's scores", async () => {
    const scorer = registry.create<ImportanceScorer<{ norm: MagnitudeNorm }>>('importance', 'magnitude', { norm: 'l1' }, {});
    expect(scorer.defaults).toEqual({ norm: 'l1' });
    expect(await scorer.score(model, calibration)).toEqual(scoreMagnitude(model, { norm: 'l1' }));
    expect(registry.create<ImportanceScorer<{ norm: MagnitudeNorm }>>('importance', 'magnitude', {}, {}).defaults).toEqual({ norm: 'l2' });
  });

  test('bad options get the registry’s error naming the option', () => {
    const create = (options: unknown) => () => registry.create('importance', 'magnitude', options, {});
    expect(create({ norm: 'l3' })).toThrow(PluginError);
    expect(create({ norm: 'l3' })).toThrow(`importance 'magnitude' options: norm: must be one of "l1", "l2" (got "l3")`);
    expect(create({ statistic: 'l2' })).toThrow("importance 'magnitude' options: statistic: unknown option (options: norm)");
  });
});
