import { Rng, Runtime, Tensor } from '@carve/engine';
import { descendingOrder, scoreImportance } from '@carve/importance';
import { Checkpoint, countParams, fullSubNetwork, initWeights, LanguageModel, resolveConfig, SubNetwork } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { PruningBaseline } from './baseline';
import { depthWithin, keepLayers } from './depth';
import { baselinePlugins } from './plugins';
import { randomCalibration } from './testing/calibration';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 5, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 });
const model: Checkpoint = { config, weights: initWeights(config, new Rng(7), 0.3) };
const runtime = new Runtime();
afterAll(() => runtime.dispose());
const registry = new PluginRegistry();
registry.register(baselinePlugins);


async function logits(m: Checkpoint, ids: number[], subNetwork?: SubNetwork): Promise<Float32Array> {
  const lm = await LanguageModel.create(m, { runtime, subNetwork });
  const out = await lm.logits(Tensor.from('int64', [1, ids.length], ids));
  await lm.dispose();
  return out.data as Float32Array;
}

describe('block-depth', () => {
  const set = randomCalibration(6, 12, 5);
  const half: SubNetwork = { embedDim: 8, headSize: 4, layers: [0, 1, 2, 3, 4].map((index) => ({ index, heads: 2, mlpHidden: 12 })) };

  test('removes the layers of lowest block importance until the model is no larger than the target', async () => {
    const b = await registry.create<PruningBaseline>('baseline', 'block-depth', {}, {});
    const pruned = await b.prune(model, half, { calibration: set, runtime });
    const order = descendingOrder((await scoreImportance(model, set, { runtime })).layers);
    const budget = countParams(config, half);
    expect(pruned.params).toBeLessThanOrEqual(budget);
    // The deepest such model: one more layer would not fit.
    const depth = pruned.kept.layers.length;
    expect(countParams(config, keepLayers(model, order, depth + 1))).toBeGreaterThan(budget);
    expect(pruned.kept.layers).toEqual(order.slice(0, depth).sort((a, b) => a - b));
    // Widths stay whole.
    expect(pruned.checkpoint.config).toMatchObject({ nEmbd: 16, nHead: 4, mlpHidden: 24, nLayer: depth });
    // It computes what the original's sub-network without those layers computes.
    const ids = [5, 3, 9, 1, 22, 7];
    const kept = keepLayers(model, order, depth);
    const [a, c] = [await logits(model, ids, kept), await logits(pruned.checkpoint, ids)];
    a.forEach((v, i) => expect(c[i]).toBeCloseTo(v, 5));
  });

  test('the full-size target keeps every layer; one smaller than a single layer keeps the most important one', () => {
    const order = [3, 0, 4, 1, 2];
    expect(depthWithin(model, order, countParams(config)).layers.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
    expect(depthWithin(model, order, 1).layers.map((l) => l.index)).toEqual([3]);
    expect(keepLayers(model, order, 2).layers.map((l) => l.index)).toEqual([0, 3]);
    expect(keepLayers(model, order, 5)).toEqual(fullSubNetwork(config));
  });

  test('drop scoring orders layers by the loss increase', async () => {
    const b = await registry.create<PruningBaseline>('baseline', 'block-depth', { layerScoring: 'drop' }, {});
    const pruned = await b.prune(model, half, { calibration: set, runtime });
    const order = descendingOrder((await scoreImportance(model, set, { runtime, layerScoring: 'drop' })).layers);
    expect(pruned.kept.layers).toEqual(order.slice(0, pruned.kept.layers.length).sort((a, b) => a - b));
  });
});
