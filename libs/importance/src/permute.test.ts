import { Rng, Runtime, Tensor } from '@carve/engine';
import { Checkpoint, headsOf, initLora, initWeights, loadLlama2c, LoraConfig, ModelConfigInput, queryGroupsOf, resolveConfig, weightFeeds, buildModelGraph } from '@carve/model';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';
import { ImportanceOrders } from './orders';
import { permuteAxis, permuteModel } from './permute';

// Permutations reorder sums, so float32 graphs of the two models round differently (about
// 1e-5 on stories260K's logits of up to 20); float64 graphs show what the permutation changes.
// Their runtime skips the extended optimizations, which fuse SiLU into a float32-only kernel.
const runtime = new Runtime();
const runtime64 = new Runtime({ optimizationLevel: 'basic' });
afterAll(async () => {
  await runtime.dispose();
  await runtime64.dispose();
});

/** Random orders of every kind, different per layer, so every axis is really moved. */
function randomOrders(model: Checkpoint, rng: Rng): ImportanceOrders {
  const c = model.config;
  const perm = (n: number) => rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return {
    channels: perm(c.nEmbd),
    heads: Array.from({ length: c.nLayer }, (_, l) => {
      const groups = perm(queryGroupsOf(c, l));
      return { groups, queries: groups.map(() => perm(headsOf(c, l) / queryGroupsOf(c, l))) };
    }),
    neurons: Array.from({ length: c.nLayer }, () => perm(c.mlpHidden)),
    layers: perm(c.nLayer),
  };
}

type Dtype = 'float32' | 'float64';

async function logits(model: Checkpoint, ids: number[], dtype: Dtype, lora?: { config: LoraConfig; adapters: Map<string, Float32Array> }): Promise<ArrayLike<number>> {
  const m = buildModelGraph(model.config, { lora: lora?.config, dtype });
  m.graph.output({ logits: m.logits });
  const session = await (dtype === 'float64' ? runtime64 : runtime).compile(m.graph);
  const out = await session.run({ tokens: Tensor.from('int64', [2, ids.length / 2], ids), ...weightFeeds(m, model.weights, lora?.adapters) });
  return out.logits.data as Float32Array | Float64Array;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Max |logit difference| between the model and its randomly permuted self, in each dtype. */
async function checkPreserved(model: Checkpoint, seed: number, lora?: LoraConfig): Promise<Record<Dtype, number>> {
  const rng = new Rng(seed);
  const ids = Array.from({ length: 2 * 12 }, () => rng.int(model.config.vocabSize));
  const adapters = lora ? initLora(model.config, lora, rng) : undefined;
  if (adapters) for (const [name, b] of adapters) if (name.endsWith('lora_b')) b.forEach((_, i) => (b[i] = rng.normal(0, 0.2)));
  const orders = randomOrders(model, rng);
  const permuted = permuteModel(model, orders, lora && adapters ? { config: lora, adapters } : undefined);
  expect(permuted.model.weights.get('wte')).not.toEqual(model.weights.get('wte')); // something moved
  const diff = async (dtype: Dtype) =>
    maxDiff(
      await logits(model, ids, dtype, lora && adapters ? { config: lora, adapters } : undefined),
      await logits(permuted.model, ids, dtype, lora && permuted.adapters ? { config: lora, adapters: permuted.adapters } : undefined),
    );
  return { float32: await diff('float32'), float64: await diff('float64') };
}

const random = (input: ModelConfigInput, seed: number): Checkpoint => {
  const config = resolveConfig(input);
  return { config, weights: initWeights(config, new Rng(seed), 0.3) };
};

describe('permuting by importance orders preserves the function', () => {
  test.each([
    ['GPT-2 (learned positions, biases, tied)', { name: 'g', family: 'gpt2', vocabSize: 50, nEmbd: 24, nLayer: 2, nHead: 4, blockSize: 16 }],
    // tanh GELU: ONNX Runtime has no float64 Erf; the permutation does not care which GELU.
    ['GPT-NeoX (parallel residual, partial rotary)', { name: 'n', family: 'gpt_neox', vocabSize: 50, nEmbd: 32, nLayer: 2, nHead: 4, rotaryFraction: 0.5, gelu: 'tanh', blockSize: 16 }],
    ['Llama (GQA, SwiGLU, untied)', { name: 'l', family: 'llama', vocabSize: 50, nEmbd: 32, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 40, blockSize: 16 }],
  ] as [string, ModelConfigInput][])('%s', async (_name, input) => {
    const diff = await checkPreserved(random(input, 1), 2);
    expect(diff.float64).toBeLessThanOrEqual(1e-5);
    expect(diff.float32).toBeLessThanOrEqual(1e-4);
  });

  test('with LoRA adapters permuted alike', async () => {
    const model = random({ name: 'l', family: 'llama', vocabSize: 50, nEmbd: 32, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 40, blockSize: 16 }, 3);
    const diff = await checkPreserved(model, 4, { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'k', 'v', 'o', 'mlp', 'head'] });
    expect(diff.float64).toBeLessThanOrEqual(1e-5);
    expect(diff.float32).toBeLessThanOrEqual(1e-4);
  });
});

describeWithAssets('permuting stories260K', () => {
  test('the permuted model computes the same logits', async () => {
    const diff = await checkPreserved(loadLlama2c(STORIES260K), 5);
    console.log(`stories260K permuted: max |logit difference| ${diff.float64.toExponential(2)} in float64, ${diff.float32.toExponential(2)} in float32`);
    expect(diff.float64).toBeLessThanOrEqual(1e-5);
    expect(diff.float32).toBeLessThanOrEqual(1e-4);
  });
});

test('permuteAxis moves slices along one axis', () => {
  // [2, 3] rows [[0,1,2],[3,4,5]]: columns reordered 2,0,1.
  expect(Array.from(permuteAxis(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], 1, [2, 0, 1]))).toEqual([2, 0, 1, 5, 3, 4]);
  expect(Array.from(permuteAxis(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], 0, [1, 0]))).toEqual([3, 4, 5, 0, 1, 2]);
  expect(() => permuteAxis(new Float32Array(6), [2, 3], 1, [0, 1])).toThrow('permutation of 2 indices for an axis of 3');
});
