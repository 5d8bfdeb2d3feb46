import { Rng, Runtime, Tensor } from '@carve/engine';
import { Checkpoint, float32Of, initWeights, LanguageModel, LoraConfig, resolveConfig } from '@carve/model';
import { fineTune } from './fine-tune';
import { BatchSource } from './trainer';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 32, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 });
const model: Checkpoint = { config, weights: initWeights(config, new Rng(1), 0.2) };
const T = 8;
const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'o', 'mlp', 'head'] };
const runtime = new Runtime();
afterAll(() => runtime.dispose());

/** A learnable stream: token i + 1 follows token i (mod 32), from random starts. */
function counting(seed: number): BatchSource {
  const rng = new Rng(seed);
  const row = () => {
    const start = rng.int(32);
    return Array.from({ length: T + 1 }, (_, i) => (start + i) % 32);
  };
  return {
    nextBatch: (B) => {
      const rows = Array.from({ length: B }, row);
      return { tokens: Tensor.from('int64', [B, T], rows.flatMap((r) => r.slice(0, T))), targets: Tensor.from('int64', [B, T], rows.flatMap((r) => r.slice(1))) };
    },
    getState: () => rng.getState(),
    setState: (s) => rng.setState(s as number[]),
  };
}

async function loss(m: Checkpoint): Promise<number> {
  const ids = Array.from({ length: 4 * T + 1 }, (_, i) => (7 + i) % 32);
  const lm = await LanguageModel.create(m, { runtime });
  const { loss: value } = await lm.loss(ids, T, 4);
  await lm.dispose();
  return value;
}

test('the merged model has learned the training data, and the base weights are left alone', async () => {
  const before = new Map([...model.weights].map(([k, v]) => [k, Float32Array.from(float32Of(v))]));
  const { checkpoint, losses } = await fineTune(model, { data: counting(2), steps: 40, batchSize: 4, seqLen: T, lr: 1e-2, lora, seed: 3, runtime });
  expect(losses).toHaveLength(40);
  expect(losses[39]).toBeLessThan(losses[0] / 2);
  // The merged weights give (up to rounding) the loss the last steps trained to, on unseen starts.
  expect(await loss(checkpoint)).toBeLessThan((await loss(model)) / 2);
  for (const [name, data] of model.weights) expect(data).toEqual(before.get(name));
  expect(checkpoint.config).toBe(model.config);
});

test('the same seed gives the same weights; another seed other ones', async () => {
  const run = (seed: number) => fineTune(model, { data: counting(2), steps: 3, batchSize: 2, seqLen: T, lr: 1e-2, lora, seed, runtime });
  const [a, b, c] = [await run(5), await run(5), await run(6)];
  expect(a.checkpoint.weights.get('layers.0.attn.q.weight')).toEqual(b.checkpoint.weights.get('layers.0.attn.q.weight'));
  expect(a.checkpoint.weights.get('layers.0.attn.q.weight')).not.toEqual(c.checkpoint.weights.get('layers.0.attn.q.weight'));
});
