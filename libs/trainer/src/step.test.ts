import { AdamW, Rng, Runtime, Tensor, toHalf } from '@carve/engine';
import { float32Weights, HalfValues, initLora, initWeights, LoraConfig, resolveConfig, SubNetwork, WeightValues } from '@carve/model';
import { PluginDefinition, runPluginContract } from '@carve/registry';
import { Sampler } from '@carve/sampler';
import { SuperNetworkStep } from './step';
import { PlannedNetwork, randomStrategy, sandwichKdStrategy, sandwichStrategy, standardStrategy, TrainingStrategy } from './strategies';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 32, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 });
const T = 8;
const small: SubNetwork = { embedDim: 8, headSize: 4, layers: [{ index: 1, heads: 2, mlpHidden: 12 }] };
const middle: SubNetwork = { embedDim: 12, headSize: 4, layers: [{ index: 0, heads: 2, mlpHidden: 12 }, { index: 1, heads: 4, mlpHidden: 24 }] };
const sampler: Sampler = { name: 'fixed', sample: async (n) => Array.from({ length: n }, () => middle) };

function batch(rng: Rng, B: number) {
  const ids = Array.from({ length: B * (T + 1) }, () => rng.int(32));
  const rows = Array.from({ length: B }, (_, b) => ids.slice(b * (T + 1), (b + 1) * (T + 1)));
  return { tokens: Tensor.from('int64', [B, T], rows.flatMap((r) => r.slice(0, T))), targets: Tensor.from('int64', [B, T], rows.flatMap((r) => r.slice(1))) };
}

const runtime = new Runtime();
afterAll(() => runtime.dispose());

describe('strategies', () => {
  test.each([standardStrategy, randomStrategy, sandwichStrategy, sandwichKdStrategy] as PluginDefinition<unknown, TrainingStrategy, unknown>[])(
    '$name meets the plugin contract',
    async (plugin) => {
      await runPluginContract(plugin, { invalidOptions: [{ options: { bogus: true }, field: 'bogus' }], context: { smallest: small } });
    },
  );

  test('plans: standard trains the full model; sandwich-kd the full model, the smallest and sampled students', async () => {
    const create = async (plugin: typeof standardStrategy | typeof sandwichKdStrategy, options: object) =>
      (await runPluginContract(plugin as never, { validOptions: [options], context: { smallest: small } })).instances[0] as TrainingStrategy;
    expect(await (await create(standardStrategy, {})).plan(sampler)).toEqual([{ ceWeight: 1 }]);
    const plan = await (await create(sandwichKdStrategy, { n: 3 })).plan(sampler);
    expect(plan.map((p) => p.subNetwork)).toEqual([undefined, small, middle, middle]);
    expect(plan[1]).toMatchObject({ ceWeight: 0.5, distillation: { weight: 2, temperature: 1, kind: 'forward-kl' } });
  });
});

describe('SuperNetworkStep', () => {
  test('two micro-batches of B/2, each scaled by 1/2, give the gradient of one batch of B', async () => {
    const weights = initWeights(config, new Rng(1), 0.2);
    const step = new SuperNetworkStep({ config, weights, trainable: 'all', runtime, seqLen: T });
    const b = batch(new Rng(2), 4);
    const half = (x: Tensor, i: number) => new Tensor('int64', [2, T], (x.data as BigInt64Array).slice(i * 2 * T, (i + 1) * 2 * T));
    const plan: PlannedNetwork[] = [{ ceWeight: 1 }, { subNetwork: small, ceWeight: 1 }];
    const whole = new Map<string, Float32Array>();
    await step.accumulate(plan, b, whole, 0.5);
    const parts = new Map<string, Float32Array>();
    for (const i of [0, 1]) await step.accumulate(plan, { tokens: half(b.tokens, i), targets: half(b.targets, i) }, parts, 0.25);
    let worst = 0;
    for (const [name, g] of whole) {
      const p = parts.get(name)!;
      const scale = Math.max(1e-6, ...Array.from(g, Math.abs));
      for (let k = 0; k < g.length; k++) worst = Math.max(worst, Math.abs(g[k] - p[k]) / scale);
    }
    expect(worst).toBeLessThan(1e-5);
    await step.dispose();
  });

  test('sandwich-KD with LoRA on a frozen base: the adapters learn a repeated batch, the base never changes', async () => {
    const weights = initWeights(config, new Rng(3), 0.2);
    const base = new Map([...weights].map(([k, v]) => [k, Float32Array.from(v)]));
    const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'k', 'v', 'o', 'mlp', 'head'] };
    const step = new SuperNetworkStep({ config, weights, lora: { config: lora, adapters: initLora(config, lora, new Rng(4)) }, trainable: 'lora', runtime, seqLen: T });
    const strategy = (await runPluginContract(sandwichKdStrategy, { validOptions: [{ n: 2 }], context: { smallest: small } })).instances[0];
    const optimizer = new AdamW(Object.fromEntries(step.parameters), { lr: 1e-2, weightDecay: 0 });
    const b = batch(new Rng(5), 4);
    const losses: number[] = [];
    for (let s = 0; s < 30; s++) {
      const plan = await strategy.plan(sampler);
      const grads = new Map<string, Float32Array>();
      const results = await step.accumulate(plan, b, grads, 1 / plan.length);
      losses.push(results[0].loss);
      optimizer.step(Object.fromEntries(grads));
    }
    await step.dispose();
    expect(losses[29]).toBeLessThan(0.8 * losses[0]);
    for (const [name, w] of weights) expect(w).toEqual(base.get(name));
  });
});

test('microBatch runs a batch in chunks of rows and gives its gradients and losses (sandwich-KD, LoRA)', async () => {
  const weights = initWeights(config, new Rng(9), 0.2);
  const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'mlp', 'head'] };
  const adapters = initLora(config, lora, new Rng(10));
  for (const a of adapters.values()) for (let i = 0; i < a.length; i++) a[i] += 0.05 * Math.sin(i); // B is zero at init
  const plan: PlannedNetwork[] = [{ ceWeight: 1 }, { subNetwork: small, ceWeight: 0.5, distillation: { weight: 2, temperature: 1, kind: 'forward-kl' } }];
  const b = batch(new Rng(11), 5);
  const run = async (microBatch?: number) => {
    const step = new SuperNetworkStep({ config, weights, lora: { config: lora, adapters }, trainable: 'lora', runtime, seqLen: T, microBatch });
    const grads = new Map<string, Float32Array>();
    const results = await step.accumulate(plan, b, grads, 0.5);
    await step.dispose();
    return { grads, results };
  };
  const whole = await run();
  for (const microBatch of [1, 2]) {
    const chunked = await run(microBatch); // 2 leaves a last chunk of one row
    chunked.results.forEach((r, i) => {
      for (const key of ['loss', 'ce', 'kd'] as const) expect(Math.abs((r[key] ?? 0) - (whole.results[i][key] ?? 0))).toBeLessThan(1e-5);
    });
    let worst = 0;
    for (const [name, g] of whole.grads) {
      const c = chunked.grads.get(name)!;
      const scale = Math.max(1e-6, ...Array.from(g, Math.abs));
      for (let k = 0; k < g.length; k++) worst = Math.max(worst, Math.abs(g[k] - c[k]) / scale);
    }
    expect(worst).toBeLessThan(1e-5);
  }
});

test('a 16-bit frozen base gives the LoRA gradients of its float32 decoding; training every weight refuses it', async () => {
  const float32 = initWeights(config, new Rng(6), 0.2);
  const half = new Map([...float32].map(([name, w]) => [name, new HalfValues(toHalf(w))]));
  const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'mlp'] };
  const adapters = initLora(config, lora, new Rng(7));
  for (const a of adapters.values()) for (let i = 0; i < a.length; i++) a[i] += 0.05 * Math.cos(i); // B is zero at init
  const plan: PlannedNetwork[] = [{ ceWeight: 1 }, { subNetwork: small, ceWeight: 0.5, distillation: { weight: 2, temperature: 1, kind: 'forward-kl' } }];
  const b = batch(new Rng(8), 2);
  const gradsOf = async (weights: Map<string, WeightValues>) => {
    const step = new SuperNetworkStep({ config, weights, lora: { config: lora, adapters: new Map([...adapters].map(([k, v]) => [k, Float32Array.from(v)])) }, trainable: 'lora', runtime, seqLen: T });
    const grads = new Map<string, Float32Array>();
    const results = await step.accumulate(plan, b, grads, 0.5);
    await step.dispose();
    return { grads, results };
  };
  const fromHalfBase = await gradsOf(half);
  const fromDecoded = await gradsOf(float32Weights(half));
  expect(fromHalfBase.results).toEqual(fromDecoded.results);
  expect(fromHalfBase.grads).toEqual(fromDecoded.grads);
  expect(() => new SuperNetworkStep({ config, weights: half, trainable: 'all', runtime, seqLen: T })).toThrow(/training every weight needs them in float32, but \d+ are 16-bit .*float32Weights/);
});

test('LoRA dropout masks come from the setup’s generator: the same seed repeats a step, another changes it', async () => {
  const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0.5, targets: ['q', 'mlp'] };
  const weights = initWeights(config, new Rng(6), 0.2);
  const adapters = initLora(config, lora, new Rng(7));
  for (const [name, b] of adapters) if (name.endsWith('lora_b')) b.forEach((_, i) => (b[i] = 0.1 * Math.sin(i)));
  const b = batch(new Rng(8), 2);
  const gradsWith = async (seed: number) => {
    const step = new SuperNetworkStep({ config, weights, lora: { config: lora, adapters }, trainable: 'lora', runtime, seqLen: T, dropoutRng: new Rng(seed) });
    const grads = new Map<string, Float32Array>();
    await step.accumulate([{ ceWeight: 1 }], b, grads, 1);
    await step.dispose();
    return Array.from(grads.get('layers.0.attn.q.lora_a')!);
  };
  expect(await gradsWith(1)).toEqual(await gradsWith(1));
  expect(await gradsWith(1)).not.toEqual(await gradsWith(2));
  const noRng = new SuperNetworkStep({ config, weights, lora: { config: lora, adapters }, trainable: 'lora', runtime, seqLen: T });
  await expect(noRng.accumulate([{ ceWeight: 1 }], b, new Map(), 1)).rejects.toThrow('LoRA dropout above 0 needs a dropoutRng in the step setup');
  await noRng.dispose();
});
