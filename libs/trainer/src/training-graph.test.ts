import { Rng, Runtime, Tensor } from '@carve/engine';
import { initLora, initWeights, LoraConfig, resolveConfig, SubNetwork, weightFeeds } from '@carve/model';
import { buildTrainingGraph } from './training-graph';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 24, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 20, blockSize: 8 });
const lora: LoraConfig = { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'mlp'] };
const rng = new Rng(5);
const weights = initWeights(config, rng, 0.2);
const adapters = initLora(config, lora, rng);
for (const [name, b] of adapters) if (name.endsWith('lora_b')) b.forEach((_, i) => (b[i] = rng.normal(0, 0.1)));
const tokens = Tensor.from('int64', [2, 6], Array.from({ length: 12 }, () => rng.int(24)));
const targets = Tensor.from('int64', [2, 6], Array.from({ length: 12 }, () => rng.int(24)));
const small: SubNetwork = { embedDim: 8, headSize: 4, layers: [{ index: 1, heads: 2, mlpHidden: 6 }] };

const runtime = new Runtime();
afterAll(() => runtime.dispose());

async function run(options: Parameters<typeof buildTrainingGraph>[1], extra: Record<string, Tensor> = {}) {
  const tg = buildTrainingGraph(config, options);
  const out = await (await runtime.compile(tg.graph)).run({ tokens, targets, ...weightFeeds(tg.model, weights, adapters), ...extra });
  return { tg, out };
}

test('a LoRA step has gradients for the adapters only, and ce is the loss', async () => {
  const { tg, out } = await run({ lora, trainable: 'lora' });
  expect(tg.trainable.every((n) => /lora_[ab]$/.test(n))).toBe(true);
  expect(tg.trainable).toHaveLength(2 * 5 * 2); // 2 layers × (q, v, gate, up, down) × (A, B)
  expect(Number(out.loss.data[0])).toBe(Number(out.ce.data[0]));
});

test("a sub-network's gradients are zero outside its block, and for the layers it drops", async () => {
  const { tg, out } = await run({ subNetwork: small, trainable: 'all' });
  const dropped = out['grad.layers.0.attn.q.weight'].data as Float32Array;
  expect(dropped.every((v) => v === 0)).toBe(true);
  const q = out['grad.layers.1.attn.q.weight'].data as Float32Array; // [16, 4·4], keeps rows < 8
  for (let row = 8; row < 16; row++) for (let col = 0; col < 16; col++) expect(q[row * 16 + col]).toBe(0);
  expect(q.some((v) => v !== 0)).toBe(true);
  expect(tg.trainable).toContain('wte');
});

test('a student step adds β·KD to α·CE, with the teacher fed from the full network', async () => {
  const teacher = await run({ lora, trainable: 'lora', outputLogits: true });
  const student = await run({ subNetwork: small, lora, trainable: 'lora', ceWeight: 0.5, distillation: { weight: 2, temperature: 1, kind: 'forward-kl' } }, { teacher_logits: teacher.out.logits });
  const [loss, ce, kd] = ['loss', 'ce', 'kd'].map((k) => Number(student.out[k].data[0]));
  expect(kd).toBeGreaterThan(0);
  expect(loss).toBeCloseTo(0.5 * ce + 2 * kd, 5);
  // The full network as its own student has nothing to learn from itself.
  const self = await run({ lora, trainable: 'lora', distillation: { weight: 1, temperature: 1, kind: 'forward-kl' } }, { teacher_logits: teacher.out.logits });
  expect(Math.abs(Number(self.out.kd.data[0]))).toBeLessThan(1e-6);
});

test("trainable 'lora' without a LoRA config is rejected", () => {
  expect(() => buildTrainingGraph(config, { trainable: 'lora' })).toThrow("trainable 'lora' needs a LoRA config");
});
