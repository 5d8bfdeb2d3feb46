import { Rng, Runtime, Tensor } from '@carve/engine';
import { descendingOrder, importanceOrders, scoreImportance, scoreMagnitude } from '@carve/importance';
import { Checkpoint, float32Of, fullSubNetwork, initWeights, LanguageModel, ModelConfig, paramSpecs, resolveConfig, SubNetwork } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { BaselineError, PruningBaseline } from './baseline';
import { baselinePlugins } from './plugins';
import { randomCalibration } from './testing/calibration';

const llama = resolveConfig({ name: 'tiny-llama', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 });
const gpt2 = resolveConfig({ name: 'tiny-gpt2', family: 'gpt2', vocabSize: 40, nEmbd: 16, nLayer: 3, nHead: 4, blockSize: 32 });
const runtime = new Runtime();
afterAll(() => runtime.dispose());

const registry = new PluginRegistry();
registry.register(baselinePlugins);
const baseline = (name: string, options: object = {}) => registry.create<PruningBaseline>('baseline', name, options, {});

function randomModel(config: ModelConfig, seed: number): Checkpoint {
  const weights = initWeights(config, new Rng(seed), 0.3);
  // Non-zero biases and norm gains, so a mis-gathered bias or gain shows up.
  const rng = new Rng(seed + 100);
  for (const spec of paramSpecs(config)) {
    if (spec.name.endsWith('.bias') || /norm/.test(spec.name)) weights.set(spec.name, Float32Array.from(weights.get(spec.name)!, (v) => v + 0.2 * rng.normal()));
  }
  return { config, weights };
}


async function logits(model: Checkpoint, ids: number[], subNetwork?: SubNetwork): Promise<Float32Array> {
  const lm = await LanguageModel.create(model, { runtime, subNetwork });
  const out = await lm.logits(Tensor.from('int64', [1, ids.length], ids));
  await lm.dispose();
  return out.data as Float32Array;
}

/**
 * The oracle: the pruned model gathered straight from the original weights by the original
 * indices a baseline says it kept, one index list per axis kind: no permutation, no slicing.
 */
function gatherKept(model: Checkpoint, kept: { layers: number[]; heads: number[][]; neurons: number[][] }, channels: number[], headSize: number): Map<string, Float32Array> {
  const c = model.config;
  const perGroup = c.nHead / c.nQueryGroups;
  const out = new Map<string, Float32Array>();
  for (const [j, l] of kept.layers.entries()) {
    const heads = kept.heads[j];
    const groups = c.nQueryGroups === c.nHead ? heads : [...new Set(heads.map((h) => Math.floor(h / perGroup)))];
    const index: Record<string, number[]> = {
      embed: channels,
      q: heads.flatMap((h) => Array.from({ length: headSize }, (_, d) => h * c.headSize + d)),
      kv: groups.flatMap((g) => Array.from({ length: headSize }, (_, d) => g * c.headSize + d)),
      mlp: kept.neurons[j],
    };
    for (const spec of paramSpecs(c).filter((s) => s.layer === l)) out.set(spec.name.replace(`layers.${l}.`, `layers.${j}.`), gather(float32Of(model.weights.get(spec.name)!), spec.shape, spec.axes.map((a) => index[a])));
  }
  for (const spec of paramSpecs(c).filter((s) => s.layer === undefined)) out.set(spec.name, gather(float32Of(model.weights.get(spec.name)!), spec.shape, spec.axes.map((a) => (a === 'embed' ? channels : undefined))));
  return out;
}

/** data[i0, i1] at the given indices per axis (all of an axis when undefined), for 1-d and 2-d tensors. */
function gather(data: Float32Array, shape: number[], indices: (number[] | undefined)[]): Float32Array {
  const rows = indices[0] ?? Array.from({ length: shape[0] }, (_, i) => i);
  if (shape.length === 1) return Float32Array.from(rows, (i) => data[i]);
  const cols = indices[1] ?? Array.from({ length: shape[1] }, (_, i) => i);
  return Float32Array.from(rows.flatMap((r) => cols.map((k) => data[r * shape[1] + k])));
}

const uniform = (embedDim: number, heads: number, headSize: number, mlpHidden: number, depth: number): SubNetwork => ({
  embedDim,
  headSize,
  layers: Array.from({ length: depth }, (_, index) => ({ index, heads, mlpHidden })),
});

describe('activation-width', () => {
  const set = randomCalibration(6, 12, 3);

  test.each([
    ['llama with GQA', llama, uniform(12, 2, 4, 16, 2)],
    ['gpt2', gpt2, uniform(10, 3, 4, 40, 3)],
  ])('%s: the pruned model is the original gathered at the top-scoring units and layers', async (_, config, target) => {
    const model = randomModel(config, 1);
    const pruned = await (await baseline('activation-width')).prune(model, target, { calibration: set, runtime });
    const scores = await scoreImportance(model, set, { runtime });
    const orders = importanceOrders(config, scores);
    // The layers: the target's depth, the highest block importance, in model order.
    expect(pruned.kept.layers).toEqual(descendingOrder(scores.layers).slice(0, target.layers.length).sort((a, b) => a - b));
    // The neurons: the top of the global order (the per-layer scores summed).
    const summed = scores.neurons[0].map((_, i) => scores.neurons.reduce((a, layer) => a + layer[i], 0));
    pruned.kept.neurons.forEach((kept) => expect(kept).toEqual(descendingOrder(summed).slice(0, target.layers[0].mlpHidden)));
    const oracle = gatherKept(model, pruned.kept, orders.channels.slice(0, target.embedDim), target.headSize);
    expect([...pruned.checkpoint.weights.keys()].sort()).toEqual([...oracle.keys()].sort());
    for (const [name, data] of oracle) expect({ name, data: Array.from(float32Of(pruned.checkpoint.weights.get(name)!)) }).toEqual({ name, data: Array.from(data) });
    expect(pruned.params).toBe(paramSpecs(pruned.checkpoint.config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
  });

  test('at the full size the pruned model computes what the original does', async () => {
    const model = randomModel(llama, 2);
    const pruned = await (await baseline('activation-width')).prune(model, fullSubNetwork(llama), { calibration: set, runtime });
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const [a, b] = [await logits(model, ids), await logits(pruned.checkpoint, ids)];
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 4));
  });

  test('without calibration text it says what it needs', async () => {
    const prune = (await baseline('activation-width')).prune(randomModel(llama, 1), fullSubNetwork(llama), {});
    await expect(prune).rejects.toThrow(BaselineError);
    await expect(prune).rejects.toThrow("baseline 'activation-width' needs calibration text to prune 'tiny-llama' (activation statistics); none was given");
  });

  test('an invalid target is refused before any compute', async () => {
    const target = { ...uniform(12, 3, 4, 16, 2) }; // 3 heads over 2 KV groups
    await expect((await baseline('activation-width')).prune(randomModel(llama, 1), target, { calibration: set })).rejects.toThrow(/not divisible by 2 KV groups/);
  });
});

describe('magnitude-width', () => {
  test('keeps the units of largest weight norm, needs no data, and matches the gathered oracle', async () => {
    const model = randomModel(gpt2, 4);
    const target = uniform(12, 2, 4, 32, 3);
    const b = await baseline('magnitude-width', { norm: 'l1' });
    expect(b.needsCalibration).toBe(false);
    const pruned = await b.prune(model, target, {});
    const orders = importanceOrders(gpt2, scoreMagnitude(model, { norm: 'l1' }));
    expect(pruned.kept.neurons[0]).toEqual(orders.neurons[0].slice(0, 32));
    const oracle = gatherKept(model, pruned.kept, orders.channels.slice(0, 12), 4);
    for (const [name, data] of oracle) expect(Array.from(float32Of(pruned.checkpoint.weights.get(name)!))).toEqual(Array.from(data));
  });

  test("bad options get the registry's error naming the plugin and the option", () => {
    expect(() => baseline('magnitude-width', { norm: 'l3' })).toThrow("baseline 'magnitude-width' options: norm: must be one of \"l1\", \"l2\" (got \"l3\")");
  });
});
