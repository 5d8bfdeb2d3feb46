import { Rng, Tensor } from '@carve/engine';
import { loadLlama2c } from './checkpoint/llama2c';
import { resolveConfig } from './config';
import { initWeights } from './init';
import { LanguageModel } from './language-model';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';

/** The first 60 tokens stories260K generates greedily from BOS (../shared/assets/README.md). */
const ORACLE_IDS = [
  403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282, 295, 433,
  426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415,
];

describeWithAssets('stories260K', () => {
  test('greedy decoding from BOS reproduces the published token ids', async () => {
    const lm = await LanguageModel.create(loadLlama2c(STORIES260K));
    const ids = await lm.generate([1], { maxNewTokens: 60 });
    await lm.dispose();
    expect(ids).toEqual(ORACLE_IDS);
  });
});

describe('LanguageModel', () => {
  const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 20, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 8 });
  const model = { config, weights: initWeights(config, new Rng(1), 0.3) };

  test('the loss over windows equals the mean of per-window losses, and perplexity is its exp', async () => {
    const lm = await LanguageModel.create(model);
    const rng = new Rng(4);
    const ids = Array.from({ length: 3 * 8 + 1 }, () => rng.int(20));
    const all = await lm.loss(ids, 8, 2); // 3 windows in batches of 2 and 1
    const parts = await Promise.all([0, 1, 2].map((w) => lm.loss(ids.slice(w * 8, w * 8 + 9), 8)));
    expect(all.tokens).toBe(24);
    expect(all.loss).toBeCloseTo(parts.reduce((a, p) => a + p.loss, 0) / 3, 5);
    expect(all.perplexity).toBeCloseTo(Math.exp(all.loss), 5);
    await lm.dispose();
  });

  test('targetLoss sums the cross-entropy of the counted targets, skipping ignored ones', async () => {
    const lm = await LanguageModel.create(model);
    const tokens = Tensor.from('int64', [1, 4], [3, 5, 7, 9]);
    const targets = Tensor.from('int64', [1, 4], [5, -100, 9, 2]);
    const logits = (await lm.logits(tokens)).data as Float32Array; // [4, 20]
    const ce = (row: number, target: number) => {
      const x = Array.from(logits.subarray(row * 20, (row + 1) * 20));
      const max = Math.max(...x);
      return max + Math.log(x.reduce((a, v) => a + Math.exp(v - max), 0)) - x[target];
    };
    const { sum, tokens: counted } = await lm.targetLoss(tokens, targets);
    expect(counted).toBe(3);
    expect(sum).toBeCloseTo(ce(0, 5) + ce(2, 9) + ce(3, 2), 4);
    expect(await lm.targetLoss(tokens, Tensor.from('int64', [1, 4], [-100, -100, -100, -100]))).toEqual({ sum: 0, tokens: 0 });
    await lm.dispose();
  });

  test('targetLogProbs gives each target log p(target | prefix) and whether it is the argmax, for a batch in one run', async () => {
    const lm = await LanguageModel.create(model);
    const rng = new Rng(9);
    const ids = Array.from({ length: 2 * 6 }, () => rng.int(20));
    const tokens = Tensor.from('int64', [2, 6], ids);
    const logits = (await lm.logits(tokens)).data as Float32Array; // [12, 20]
    // The model's own logits, softmaxed in float64 here, are the oracle.
    const logProb = (row: number, target: number) => {
      const x = Array.from(logits.subarray(row * 20, (row + 1) * 20));
      const max = Math.max(...x);
      return x[target] - max - Math.log(x.reduce((a, v) => a + Math.exp(v - max), 0));
    };
    const argmax = (row: number) => Array.from(logits.subarray(row * 20, (row + 1) * 20)).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);
    // Half the targets are each row's argmax, so both answers of `greedy` are exercised.
    const targets = ids.map((_, row) => (row % 2 ? argmax(row) : (argmax(row) + 1 + rng.int(19)) % 20));
    const { logProbs, greedy } = await lm.targetLogProbs(tokens, Tensor.from('int64', [2, 6], targets));
    expect(logProbs).toHaveLength(12);
    targets.forEach((t, row) => {
      expect(logProbs[row]).toBeCloseTo(logProb(row, t), 4);
      expect(greedy[row]).toBe(row % 2);
    });
    await expect(lm.targetLogProbs(tokens, Tensor.from('int64', [1, 6], targets.slice(0, 6)))).rejects.toThrow(/targets must have the shape of tokens \[2, 6\]/);
    await expect(lm.targetLogProbs(tokens, Tensor.from('int64', [2, 6], targets.map(() => 20)))).rejects.toThrow(/outside the vocabulary/);
    await lm.dispose();
  });

  test('generation crops the context to the block size and stops at the stop token', async () => {
    const lm = await LanguageModel.create(model);
    const long = await lm.generate([1, 2, 3], { maxNewTokens: 12, temperature: 0.8, seed: 3 });
    expect(long).toHaveLength(12);
    const again = await lm.generate([1, 2, 3], { maxNewTokens: 12, temperature: 0.8, seed: 3 });
    expect(again).toEqual(long);
    const stop = long[0];
    expect(await lm.generate([1, 2, 3], { maxNewTokens: 12, temperature: 0.8, seed: 3, stopToken: stop })).toEqual([stop]);
    await lm.dispose();
  });

  test('bad windows and ids are reported', async () => {
    const lm = await LanguageModel.create(model);
    await expect(lm.loss([1, 2, 3], 9)).rejects.toThrow("sequence length must be an integer in [1, 8] (the model's block size), got 9");
    await expect(lm.loss([1, 2, 3], 4)).rejects.toThrow('the text has 3 tokens: too few for one window of 4 + 1');
    await expect(lm.logits(Tensor.from('int64', [1, 2], [1, 25]))).rejects.toThrow('token id 25 at position 1 is outside the vocabulary [0, 20)');
    await lm.dispose();
  });
});
