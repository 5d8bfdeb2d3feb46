import { resolveConfig } from './config';
import { countParams, flopsPerToken } from './count';

describe('analytic counts', () => {
  const gpt2 = resolveConfig({ name: 'g', family: 'gpt2', vocabSize: 100, nEmbd: 16, nLayer: 3, nHead: 4, blockSize: 32 });

  test('GPT-2 parameters: embeddings, 12C² + 13C per block, final norm', () => {
    const C = 16;
    const perBlock = 12 * C * C + 13 * C; // qkv+o+fc+proj weights; qkv, o, fc, proj biases (3C + C + 4C + C) and two norms (4C)
    expect(countParams(gpt2)).toBe(100 * C + 32 * C + 3 * perBlock + 2 * C);
  });

  test('forward FLOPs per token: 2 per matmul weight (tied head included) plus attention over the context', () => {
    const C = 16;
    expect(flopsPerToken(gpt2, undefined, 32)).toBe(2 * (3 * 12 * C * C + 100 * C) + 3 * 4 * C * 32);
  });

  test('a sub-network counts only what it keeps', () => {
    const llama = resolveConfig({ name: 'l', family: 'llama', vocabSize: 50, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 8 });
    const s = { embedDim: 8, headSize: 4, layers: [{ index: 1, heads: 2, mlpHidden: 10 }] };
    // wte 50·8, norms 3·8, q 8·(2·4), k and v 8·(2·4) each (2 groups), o (2·4)·8, gate/up/down 3·8·10, untied head 8·50
    expect(countParams(llama, s)).toBe(50 * 8 + 3 * 8 + 8 * 8 + 2 * 8 * 8 + 8 * 8 + 3 * 8 * 10 + 8 * 50);
    expect(flopsPerToken(llama, s, 8)).toBe(2 * (8 * 8 + 2 * 8 * 8 + 8 * 8 + 3 * 8 * 10 + 8 * 50) + 4 * 2 * 4 * 8);
  });
});
