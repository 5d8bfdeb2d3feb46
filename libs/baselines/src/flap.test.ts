import { Rng, Runtime, Tensor } from '@carve/engine';
import { CalibrationSet } from '@carve/importance';
import {
  assertWeightsMatch,
  buildModelGraph,
  Checkpoint,
  countParams,
  fullSubNetwork,
  headsOf,
  initWeights,
  mlpHiddenOf,
  ModelConfig,
  ModelConfigInput,
  paramSpecs,
  resolveConfig,
  SubNetwork,
  weightFeeds,
  float32Of,
} from '@carve/model';
import { PluginError, PluginRegistry, runPluginContract } from '@carve/registry';
import { BaselineError, PrunedModel, PruningBaseline } from './baseline';
import { flapBaseline, flapPlugin, flapStructure, FluctuationScores, fluctuationScores } from './flap';
import { projectionInputStatistics } from './statistics';
import { randomCalibration } from './testing/calibration';

const LLAMA: ModelConfigInput = { name: 'tiny-llama', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 };
const GPT2: ModelConfigInput = { name: 'tiny-gpt2', family: 'gpt2', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, mlpHidden: 32, blockSize: 32 };

const runtime = new Runtime();
afterAll(() => runtime.dispose());

/** Random weights large enough to matter, with every bias (and norm) away from its neutral value. */
function randomModel(input: ModelConfigInput, seed: number): Checkpoint {
  const config = resolveConfig(input);
  const rng = new Rng(seed);
  const weights = initWeights(config, rng, 0.3);
  for (const spec of paramSpecs(config)) {
    const w = weights.get(spec.name)!;
    if (spec.init === 'zeros') w.forEach((_, i) => (w[i] = rng.normal(0, 0.1)));
    if (spec.init === 'ones') w.forEach((_, i) => (w[i] = 1 + rng.normal(0, 0.1)));
  }
  return { config, weights };
}


const tokens = (set: CalibrationSet) => Tensor.from('int64', [set.sequences.length, set.record.seqLen], set.sequences.flatMap((s) => s.slice(0, set.record.seqLen)));

/** The model's logits [N, V] on the calibration set's inputs. */
async function logitsOn(model: Checkpoint, set: CalibrationSet): Promise<Float32Array> {
  const m = buildModelGraph(model.config, { seq: set.record.seqLen });
  m.graph.output({ logits: m.logits });
  const session = await runtime.compile(m.graph);
  return (await session.run({ ...weightFeeds(m, model.weights), tokens: tokens(set) })).logits.data as Float32Array;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function meanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** Every layer with `heads` query heads and `mlpHidden` neurons. */
function uniformTarget(c: ModelConfig, heads: number, mlpHidden: number): SubNetwork {
  return { ...fullSubNetwork(c), layers: fullSubNetwork(c).layers.map((l) => ({ ...l, heads, mlpHidden })) };
}

const prune = (model: Checkpoint, target: SubNetwork, set: CalibrationSet, options: Parameters<typeof flapBaseline>[0] = {}) =>
  flapBaseline({ batchSize: 3, ...options }).prune(model, target, { calibration: set, runtime });

/** Mean and sample variance per input feature of every output projection, by explicit loops over the raw taps of one graph run. */
async function oracleStatistics(model: Checkpoint, set: CalibrationSet): Promise<{ attn: { mean: number[]; variance: number[] }[]; mlp: { mean: number[]; variance: number[] }[] }> {
  const c = model.config;
  const T = set.record.seqLen;
  const B = set.sequences.length;
  const m = buildModelGraph(c, { taps: true, seq: T });
  const outputs = Object.fromEntries(
    Array.from({ length: c.nLayer }, (_, l) => [
      [`heads${l}`, m.taps.get(`layers.${l}.attn.heads`)!],
      [`hidden${l}`, m.taps.get(`layers.${l}.mlp.hidden`)!],
    ]).flat(),
  );
  m.graph.output(outputs);
  const session = await runtime.compile(m.graph);
  const out = await session.run({ ...weightFeeds(m, model.weights), tokens: tokens(set) });
  const moments = (values: number[][]) =>
    values.map((xs) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) };
    });
  const split = (rows: { mean: number; variance: number }[]) => ({ mean: rows.map((r) => r.mean), variance: rows.map((r) => r.variance) });
  const attn = [];
  const mlp = [];
  for (let l = 0; l < c.nLayer; l++) {
    const hs = c.headSize;
    const G = c.nQueryGroups === c.nHead ? headsOf(c, l) : c.nQueryGroups;
    const Q = headsOf(c, l) / G;
    const heads = out[`heads${l}`].data as Float32Array; // [B, G, Q, T, hs]
    const features: number[][] = Array.from({ length: G * Q * hs }, () => []);
    for (let b = 0; b < B; b++)
      for (let g = 0; g < G; g++)
        for (let q = 0; q < Q; q++) for (let t = 0; t < T; t++) for (let d = 0; d < hs; d++) features[(g * Q + q) * hs + d].push(heads[(((b * G + g) * Q + q) * T + t) * hs + d]);
    attn.push(split(moments(features)));
    const M = mlpHiddenOf(c, l);
    const hidden = out[`hidden${l}`].data as Float32Array; // [B·T, M]
    const neurons: number[][] = Array.from({ length: M }, (_, j) => Array.from({ length: B * T }, (_, n) => hidden[n * M + j]));
    mlp.push(split(moments(neurons)));
  }
  await session.dispose();
  return { attn, mlp };
}

/** Σ_j score over explicit loops: variance_j · Σ_o W[j, o]². */
function oracleFeatureScores(variance: number[], w: Float32Array, out: number): number[] {
  return variance.map((v, j) => {
    let norm = 0;
    for (let o = 0; o < out; o++) norm += w[j * out + o] ** 2;
    return v * norm;
  });
}

const complement = (n: number, kept: readonly number[]) => Array.from({ length: n }, (_, i) => i).filter((i) => !kept.includes(i));

/** Checks the result against the invariants every FLAP result has: all layers, valid widths, exact parameter count, rows taken from the kept units. */
function checkResult(model: Checkpoint, result: PrunedModel): void {
  const c = model.config;
  const p = result.checkpoint.config;
  assertWeightsMatch(p, result.checkpoint.weights, 'flap result');
  expect(() => resolveConfig(p)).not.toThrow(); // every layer's head count divides into the KV groups
  expect(result.params).toBe(countParams(p));
  expect(result.params).toBe([...result.checkpoint.weights.values()].reduce((n, w) => n + w.length, 0));
  expect(p.nLayer).toBe(c.nLayer);
  expect(p.nEmbd).toBe(c.nEmbd);
  expect(result.kept.layers).toEqual(Array.from({ length: c.nLayer }, (_, l) => l));
  expect(result.kept.channels).toBe(c.nEmbd);
  const down = c.mlp === 'swiglu' ? 'down' : 'proj';
  const E = c.nEmbd;
  const hs = c.headSize;
  for (let l = 0; l < c.nLayer; l++) {
    const heads = result.kept.heads[l];
    const neurons = result.kept.neurons[l];
    expect(heads).toHaveLength(headsOf(p, l));
    expect(neurons).toHaveLength(mlpHiddenOf(p, l));
    expect(new Set(heads).size).toBe(heads.length);
    expect(new Set(neurons).size).toBe(neurons.length);
    expect(heads.every((h) => h >= 0 && h < headsOf(c, l))).toBe(true);
    expect(neurons.every((n) => n >= 0 && n < mlpHiddenOf(c, l))).toBe(true);
    if (c.nQueryGroups !== c.nHead) {
      // Under GQA each KV group keeps the same number of its own queries.
      const perGroup = headsOf(c, l) / c.nQueryGroups;
      const counts = Array.from({ length: c.nQueryGroups }, (_, g) => heads.filter((h) => Math.floor(h / perGroup) === g).length);
      expect(new Set(counts).size).toBe(1);
    }
    // Row i of each pruned output projection is the original row of the i-th kept unit: no unit is mis-indexed.
    const o = float32Of(model.weights.get(`layers.${l}.attn.o.weight`)!);
    const po = float32Of(result.checkpoint.weights.get(`layers.${l}.attn.o.weight`)!);
    heads.forEach((h, i) => expect(po.subarray(i * hs * E, (i + 1) * hs * E)).toEqual(o.subarray(h * hs * E, (h + 1) * hs * E)));
    const w = float32Of(model.weights.get(`layers.${l}.mlp.${down}.weight`)!);
    const pw = float32Of(result.checkpoint.weights.get(`layers.${l}.mlp.${down}.weight`)!);
    neurons.forEach((n, i) => expect(pw.subarray(i * E, (i + 1) * E)).toEqual(w.subarray(n * E, (n + 1) * E)));
  }
}

describe('FLAP statistics and compensation', () => {
  test.each([
    ['llama (GQA, no biases)', LLAMA],
    ['gpt2 (MHA, biases)', GPT2],
  ])('%s: means, variances, scores and compensated biases match explicit loops', async (_name, input) => {
    const model = randomModel(input, 11);
    const c = model.config;
    const set = randomCalibration(7, 8, 5);
    const oracle = await oracleStatistics(model, set);
    const stats = await projectionInputStatistics(model, set, { batchSize: 3, runtime });
    expect(stats.tokens).toBe(7 * 8);
    const close = (actual: ArrayLike<number>, expected: number[], tolerance: number) => {
      const scale = Math.max(...expected.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      expect(maxDiff(actual, expected)).toBeLessThan(tolerance * scale);
    };
    for (let l = 0; l < c.nLayer; l++) {
      close(stats.attn[l].mean, oracle.attn[l].mean, 1e-5);
      close(stats.attn[l].variance(), oracle.attn[l].variance, 1e-5);
      close(stats.mlp[l].mean, oracle.mlp[l].mean, 1e-5);
      close(stats.mlp[l].variance(), oracle.mlp[l].variance, 1e-5);
    }

    const scores = fluctuationScores(model, stats);
    const down = c.mlp === 'swiglu' ? 'down' : 'proj';
    const hs = c.headSize;
    for (let l = 0; l < c.nLayer; l++) {
      const features = oracleFeatureScores(oracle.attn[l].variance, float32Of(model.weights.get(`layers.${l}.attn.o.weight`)!), c.nEmbd);
      const heads = Array.from({ length: c.nHead }, (_, h) => features.slice(h * hs, (h + 1) * hs).reduce((a, b) => a + b, 0));
      close(scores.heads[l].flat(), heads, 1e-5);
      close(scores.neurons[l], oracleFeatureScores(oracle.mlp[l].variance, float32Of(model.weights.get(`layers.${l}.mlp.${down}.weight`)!), c.nEmbd), 1e-5);
    }

    const result = await prune(model, uniformTarget(c, c.nHead / 2, c.mlpHidden / 2), set);
    checkResult(model, result);
    const p = result.checkpoint;
    expect(p.config.bias).toBe(true);
    expect(p.config.qkvBias).toBe(true);
    for (let l = 0; l < c.nLayer; l++) {
      const prunedHeads = complement(c.nHead, result.kept.heads[l]);
      const prunedNeurons = complement(c.mlpHidden, result.kept.neurons[l]);
      expect(prunedHeads.length).toBeGreaterThan(0);
      expect(prunedNeurons.length).toBeGreaterThan(0);
      const expected = (prefix: string, features: number[], mean: number[]) => {
        const w = float32Of(model.weights.get(`${prefix}.weight`)!);
        const b = model.weights.get(`${prefix}.bias`) && float32Of(model.weights.get(`${prefix}.bias`)!);
        return Array.from({ length: c.nEmbd }, (_, o) => features.reduce((sum, j) => sum + mean[j] * w[j * c.nEmbd + o], b ? b[o] : 0));
      };
      const attnFeatures = prunedHeads.flatMap((h) => Array.from({ length: hs }, (_, d) => h * hs + d));
      close(float32Of(p.weights.get(`layers.${l}.attn.o.bias`)!), expected(`layers.${l}.attn.o`, attnFeatures, oracle.attn[l].mean), 1e-5);
      close(float32Of(p.weights.get(`layers.${l}.mlp.${down}.bias`)!), expected(`layers.${l}.mlp.${down}`, prunedNeurons, oracle.mlp[l].mean), 1e-5);
      if (c.family === 'llama') {
        // Biases the model did not have are zeros, apart from the compensated ones.
        for (const name of ['attn.q', 'attn.k', 'attn.v', 'mlp.gate', 'mlp.up']) expect(float32Of(p.weights.get(`layers.${l}.${name}.bias`)!).every((v: number) => v === 0)).toBe(true);
      }
    }
    expect(model.weights.has('layers.0.attn.o.bias')).toBe(c.bias); // the input model is left as it was
  });

  test('a feature that never changes has fluctuation 0, is pruned first, and compensation removes it exactly', async () => {
    const model = randomModel(GPT2, 21);
    const c = model.config;
    const M = c.mlpHidden;
    const constant = [3, 10, 17, 30];
    const fc = float32Of(model.weights.get('layers.0.mlp.fc.weight')!); // [E, M]
    const fcBias = float32Of(model.weights.get('layers.0.mlp.fc.bias')!);
    constant.forEach((j, i) => {
      for (let e = 0; e < c.nEmbd; e++) fc[e * M + j] = 0;
      fcBias[j] = 0.5 + 0.25 * i;
    });
    const set = randomCalibration(6, 8, 9);
    const stats = await projectionInputStatistics(model, set, { batchSize: 4, runtime });
    const variance = stats.mlp[0].variance();
    constant.forEach((j) => expect(variance[j]).toBe(0));
    expect(Array.from(variance).filter((_, j) => !constant.includes(j)).every((v) => v > 0)).toBe(true);
    const scores = fluctuationScores(model, stats);
    expect(scores.neurons[0].filter((s) => s === 0)).toHaveLength(constant.length);

    // Exactly four neurons' worth of parameters to remove: the four of zero fluctuation go.
    const target = { ...fullSubNetwork(c), layers: fullSubNetwork(c).layers.map((l) => (l.index === 0 ? { ...l, mlpHidden: M - constant.length } : l)) };
    const original = await logitsOn(model, set);
    const compensated = await prune(model, target, set, { standardize: false });
    checkResult(model, compensated);
    expect(compensated.params).toBe(countParams(c, target));
    expect(complement(M, compensated.kept.neurons[0]).sort((a, b) => a - b)).toEqual(constant);
    expect(compensated.kept.neurons[1]).toHaveLength(M);
    expect(compensated.kept.heads.map((h) => h.length)).toEqual([c.nHead, c.nHead]);
    expect(maxDiff(await logitsOn(compensated.checkpoint, set), original)).toBeLessThan(1e-4);

    const uncompensated = await prune(model, target, set, { standardize: false, compensate: false });
    expect(uncompensated.kept).toEqual(compensated.kept);
    expect(maxDiff(await logitsOn(uncompensated.checkpoint, set), original)).toBeGreaterThan(1e-2);
  });

  test.each([
    ['llama', LLAMA],
    ['gpt2', GPT2],
  ])('%s: at about half the parameters, compensation lowers the logit error on the calibration tokens', async (_name, input) => {
    const model = randomModel(input, 31);
    const c = model.config;
    const set = randomCalibration(8, 8, 13);
    const target = uniformTarget(c, c.nHead / 2, c.mlpHidden / 2);
    const ratio = countParams(c, target) / countParams(c);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.75);
    const original = await logitsOn(model, set);
    const compensated = await prune(model, target, set);
    const plain = await prune(model, target, set, { compensate: false });
    checkResult(model, compensated);
    checkResult(model, plain);
    const withBias = meanSquaredError(await logitsOn(compensated.checkpoint, set), original);
    const without = meanSquaredError(await logitsOn(plain.checkpoint, set), original);
    expect(withBias).toBeLessThan(without);
    expect(without).toBeGreaterThan(0);
  });
});

describe('FLAP structure', () => {
  test.each([
    ['llama', LLAMA],
    ['gpt2', GPT2],
  ])('%s: a target of the full model keeps every unit and computes the same logits', async (_name, input) => {
    const model = randomModel(input, 41);
    const set = randomCalibration(5, 8, 17);
    const result = await prune(model, fullSubNetwork(model.config), set);
    checkResult(model, result);
    expect(result.params).toBe(countParams(model.config));
    // Nothing was removed, so nothing needs compensating: the config keeps its own biases.
    expect(result.checkpoint.config).toEqual({ ...model.config, name: `${model.config.name}-flap` });
    // The units were reordered by score, so the comparison exercises the permutation.
    expect(result.kept.neurons.some((n) => n.some((v, i) => v !== i))).toBe(true);
    expect(maxDiff(await logitsOn(result.checkpoint, set), await logitsOn(model, set))).toBeLessThan(1e-5);
  });

  test.each([
    ['llama GQA', LLAMA, [uniformTarget(resolveConfig(LLAMA), 2, 12), uniformTarget(resolveConfig(LLAMA), 4, 6), uniformTarget(resolveConfig(LLAMA), 2, 20)]],
    ['gpt2 MHA', GPT2, [uniformTarget(resolveConfig(GPT2), 1, 24), uniformTarget(resolveConfig(GPT2), 3, 8), uniformTarget(resolveConfig(GPT2), 2, 16)]],
  ])('%s: the result fits the target and every layer keeps a valid width', async (_name, input, targets) => {
    const model = randomModel(input, 51);
    const set = randomCalibration(6, 8, 19);
    for (const target of targets) {
      for (const compensate of [true, false]) {
        const result = await prune(model, target, set, { compensate });
        checkResult(model, result);
        expect(result.params).toBeLessThanOrEqual(countParams(model.config, target));
        expect(result.checkpoint.config.bias).toBe(compensate || model.config.bias);
      }
    }
  });

  const small = resolveConfig({ name: 'small', family: 'llama', vocabSize: 10, nEmbd: 8, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 4, blockSize: 8 });
  // One query in each of the two groups: its q columns (and q bias) and its o rows.
  const costs = (c: ModelConfig) => ({ head: 2 * c.headSize * c.nEmbd * 2 + (c.qkvBias ? 2 * c.headSize : 0) });

  test('GQA head units pair the k-th best query of every group, and costs are exact', () => {
    const scores: FluctuationScores = {
      heads: [
        [
          [1, 5],
          [4, 2],
        ],
        [
          [3, 3],
          [3, 3],
        ],
      ],
      neurons: [
        [100, 100, 100, 100],
        [100, 100, 100, 100],
      ],
    };
    const full = countParams(small);
    const { head } = costs(small);
    // Unit 1 of layer 0 scores 1 + 2 = 3, the lowest unit: removing it takes group 0's query 0 and group 1's query 1.
    const one = flapStructure(small, scores, full - 1, { standardize: false, compensate: false });
    expect(one.params).toBe(full - head);
    expect(one.kept.heads).toEqual([[1, 2], [0, 1, 2, 3]]);
    expect(one.orders.heads[0]).toEqual({ groups: [0, 1], queries: [[1, 0], [0, 1]] });
    expect(one.subNetwork.layers.map((l) => l.heads)).toEqual([2, 4]);
    expect(one.params).toBe(countParams(one.config, one.subNetwork));

    // With compensation a llama model gains every bias (40 per layer here), and pruning pays for them too: one
    // head unit (68 parameters with its q bias) is not enough, two are, and they are the two lowest units.
    const biased = { ...small, bias: true, qkvBias: true };
    const compensated = flapStructure(small, scores, full - 1, { standardize: false });
    expect(compensated.config).toEqual(biased);
    expect(countParams(biased) - full).toBe(2 * 40);
    expect(costs(biased).head).toBe(68);
    expect(compensated.kept.heads).toEqual([[1, 2], [0, 2]]);
    expect(compensated.kept.neurons).toEqual([[0, 1, 2, 3], [0, 1, 2, 3]]);
    expect(compensated.params).toBe(countParams(biased) - 2 * 68);
    expect(compensated.params).toBe(countParams(compensated.config, compensated.subNetwork));
  });

  test('standardizing per layer and module compares units by their standing within their layer', () => {
    const scores: FluctuationScores = {
      heads: [
        [
          [7, 7],
          [7, 7],
        ],
        [
          [7, 7],
          [7, 7],
        ],
      ],
      // Layer 0's last neuron is the outlier of its layer (z = −1.5); layer 1's lowest is raw-lowest but less extreme (z ≈ −1.16).
      neurons: [
        [1000, 1000, 1000, 100],
        [1, 2, 3, 4],
      ],
    };
    const target = countParams(small) - 1;
    expect(flapStructure(small, scores, target, { standardize: true, compensate: false }).kept.neurons).toEqual([[0, 1, 2], [3, 2, 1, 0]]);
    expect(flapStructure(small, scores, target, { standardize: false, compensate: false }).kept.neurons).toEqual([[0, 1, 2, 3], [3, 2, 1]]);
  });

  test('a target below the smallest model FLAP can make gets one head unit and one neuron per layer', () => {
    const rng = new Rng(3);
    for (const c of [small, resolveConfig(GPT2)]) {
      const scores: FluctuationScores = {
        heads: Array.from({ length: c.nLayer }, () => Array.from({ length: c.nQueryGroups }, () => Array.from({ length: c.nHead / c.nQueryGroups }, () => rng.uniform()))),
        neurons: Array.from({ length: c.nLayer }, () => Array.from({ length: c.mlpHidden }, () => rng.uniform())),
      };
      const s = flapStructure(c, scores, 1);
      expect(s.subNetwork.layers.map((l) => [l.index, l.heads, l.mlpHidden])).toEqual(Array.from({ length: c.nLayer }, (_, l) => [l, c.nQueryGroups === c.nHead ? 1 : c.nQueryGroups, 1]));
      expect(s.params).toBe(countParams(s.config, s.subNetwork));
      expect(s.params).toBeGreaterThan(1);
      // Each layer keeps its best unit.
      s.kept.neurons.forEach((kept, l) => expect(scores.neurons[l][kept[0]]).toBe(Math.max(...scores.neurons[l])));
    }
  });
});

describe('flap baseline', () => {
  test('without calibration text it says what it needs', async () => {
    const model = randomModel(LLAMA, 1);
    const baseline = flapBaseline();
    expect(baseline.needsCalibration).toBe(true);
    const run = baseline.prune(model, fullSubNetwork(model.config), {});
    await expect(run).rejects.toThrow(BaselineError);
    await expect(run).rejects.toThrow("baseline 'flap' needs calibration text to prune 'tiny-llama' (activation statistics); none was given");
  });

  test('bad options and calibration longer than the context are reported', async () => {
    expect(() => flapBaseline({ batchSize: 0 })).toThrow("baseline 'flap': batch size must be a positive integer, got 0");
    const model = randomModel(LLAMA, 1);
    await expect(prune(model, fullSubNetwork(model.config), randomCalibration(2, 40, 1))).rejects.toThrow(
      "activation statistics of 'tiny-llama': calibration sequence length 40 exceeds the model's context of 32 tokens",
    );
  });

  test('the plugin meets the contract and creates the baseline through a registry', async () => {
    const { defaults } = await runPluginContract(flapPlugin, {
      validOptions: [{}, { compensate: false, standardize: false, batchSize: 2 }],
      invalidOptions: [
        { options: { batchSize: 0 }, field: 'batchSize' },
        { options: { compensate: 'yes' }, field: 'compensate' },
      ],
      context: {},
    });
    expect(defaults).toEqual({ compensate: true, batchSize: 8, standardize: true });

    const registry = new PluginRegistry();
    registry.register([flapPlugin]);
    const baseline = registry.create<PruningBaseline>('baseline', 'flap', { compensate: false }, {});
    expect(baseline.name).toBe('flap');
    expect(() => registry.create('baseline', 'flap', { batchSize: -1 }, {})).toThrow(PluginError);
    const model = randomModel(LLAMA, 2);
    const target = uniformTarget(model.config, 2, 12);
    const result = await baseline.prune(model, target, { calibration: randomCalibration(4, 8, 3), runtime });
    checkResult(model, result);
    // compensate: false reached the baseline: the llama model gains no biases.
    expect(result.checkpoint.config.bias).toBe(false);
    expect(result.params).toBeLessThanOrEqual(countParams(model.config, target));
  });
});
