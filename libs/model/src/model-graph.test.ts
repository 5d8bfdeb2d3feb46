import { gradients, Rng, Runtime, Tensor } from '@carve/engine';
import { resolveConfig } from './config';
import { initWeights, weightFeeds } from './init';
import { attentionBlocks, buildModelGraph } from './model-graph';

describe('causal attention in query blocks (static sequence length)', () => {
  test('the block count', () => {
    expect([64, 'T', 127, 128, 192, 256, 512, 200].map((t) => attentionBlocks(t))).toEqual([1, 1, 1, 2, 3, 4, 4, 1]);
  });

  test.each([128, 256])('T=%d: logits and every gradient equal the unblocked graph', async (T) => {
    const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 256 });
    const rng = new Rng(7);
    const weights = initWeights(config, rng, 0.3);
    const ids = Array.from({ length: 2 * T }, () => rng.int(40));
    const feeds = { tokens: Tensor.from('int64', [2, T], ids), targets: Tensor.from('int64', [2, T], [...ids.slice(1), 0]) };
    const runtime = new Runtime();
    const run = async (seq: number | 'T') => {
      const m = buildModelGraph(config, { seq, loss: true });
      const names = [...m.params.keys()];
      const grads = gradients(m.loss!, names.map((n) => m.params.get(n)!));
      m.graph.output({ logits: m.logits }, Object.fromEntries(names.map((n, i) => [`grad.${n}`, grads[i]])));
      return { out: await (await runtime.compile(m.graph)).run({ ...feeds, ...weightFeeds(m, weights) }), names, nodes: m.graph.nodes.filter((n) => n.op === 'Softmax').length };
    };
    const blocked = await run(T);
    const plain = await run('T');
    await runtime.dispose();
    expect(blocked.nodes).toBe(2 * attentionBlocks(T)); // one softmax per block and layer
    let worst = 0;
    for (const key of ['logits', ...plain.names.map((n) => `grad.${n}`)]) {
      const a = blocked.out[key].data as Float32Array;
      const b = plain.out[key].data as Float32Array;
      let scale = 1e-6;
      for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
    }
    expect(worst).toBeLessThan(1e-5);
  });
});
