import { Rng, Runtime, Tensor } from '@carve/engine';
import { countParams, LoraTarget, extractSubNetwork, float32Of, flopsPerToken, fullSubNetwork, initLora, initWeights, LanguageModel, presetConfig, resolveConfig, SubNetwork, weightMagnitude } from '@carve/model';
import { runPluginContract } from '@carve/registry';
import { jointSpace } from '@carve/search-space';
import { measure, Objective, ObjectiveContext } from './objective';
import { flopsObjective, klObjective, magnitudeObjective, paramsObjective, perplexityObjective, valLossObjective } from './plugins';

const stories = presetConfig('stories260K');

test('params and flops meet the plugin contract and evaluate analytically', async () => {
  const full = fullSubNetwork(stories);
  const params = (await runPluginContract(paramsObjective, { context: { config: stories } })).instances[0];
  expect(await params.evaluate(full)).toBe(countParams(stories, full));
  const flops = (await runPluginContract(flopsObjective, { validOptions: [{ seqLen: 64 }], invalidOptions: [{ options: { seqLen: 0 }, field: 'seqLen' }], context: { config: stories } })).instances[0];
  expect(await flops.evaluate(full)).toBe(flopsPerToken(stories, full, 64));
  expect(flops.direction).toBe('minimize');
});

describe('objectives that run the model', () => {
  const config = resolveConfig({ name: 'llama-tiny', family: 'llama', vocabSize: 40, nEmbd: 32, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 48, blockSize: 24 });
  const model = { config, weights: initWeights(config, new Rng(1), 0.3) };
  const lora = { config: { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'mlp'] as LoraTarget[] }, adapters: new Map<string, Float32Array>() };
  // Non-zero B so the adapters change the outputs (initLora leaves B at 0).
  for (const [name, value] of initLora(config, lora.config, new Rng(2))) lora.adapters.set(name, name.endsWith('lora_b') ? value.map((_, i) => Math.sin(i) * 0.1) : value);
  const rng = new Rng(3);
  const validation = Array.from({ length: 24 * 5 + 1 }, () => rng.int(config.vocabSize));
  const runtime = new Runtime();
  const ctx: ObjectiveContext = { config, model, lora, validation, runtime };
  const space = jointSpace(config);
  const members: SubNetwork[] = [fullSubNetwork(config), space.smallest(), ...Array.from({ length: 4 }, () => space.sample(rng))];
  afterAll(() => runtime.dispose());

  /** The oracle: the standalone sub-network, adapters merged into its weights, scored by LanguageModel.loss. */
  const extracted = (s: SubNetwork) => LanguageModel.create(extractSubNetwork(model, s, { lora }), { runtime });
  async function extractedLoss(s: SubNetwork): Promise<number> {
    const lm = await extracted(s);
    const { loss } = await lm.loss(validation, 24, 2);
    await lm.dispose();
    return loss;
  }

  test('val-loss and perplexity equal the extracted sub-network’s loss on the same windows', async () => {
    const [valLoss] = (await runPluginContract(valLossObjective, { validOptions: [{ seqLen: 24, windows: 5, batch: 2 }], invalidOptions: [{ options: { windows: 0 }, field: 'windows' }], context: ctx })).instances;
    const perplexity = perplexityObjective.create({ seqLen: 24, windows: 5, batch: 2 }, ctx);
    for (const s of members) {
      const expected = await extractedLoss(s);
      const got = await measure(valLoss, s);
      expect(Math.abs(got.value - expected)).toBeLessThan(1e-5);
      expect(got.details).toEqual({ tokens: 120 });
      expect((await measure(perplexity, s)).value).toBeCloseTo(Math.exp(got.value), 10);
    }
  });

  test('kl is 0 for the full network and matches a float64 computation from the extracted networks’ logits', async () => {
    const kl: Objective = klObjective.create({ seqLen: 24, windows: 5, batch: 2 }, ctx);
    expect((await measure(kl, fullSubNetwork(config))).value).toBe(0);
    const logits = async (s: SubNetwork) => {
      const lm = await extracted(s);
      const out = (await lm.logits(Tensor.from('int64', [5, 24], validation.slice(0, 120)))).data as Float32Array;
      await lm.dispose();
      return out;
    };
    const teacher = await logits(fullSubNetwork(config));
    for (const s of members.slice(1)) {
      const student = await logits(s);
      let total = 0;
      const V = config.vocabSize;
      for (let row = 0; row < teacher.length; row += V) {
        const lse = (x: Float32Array) => Math.log(Array.from(x.subarray(row, row + V)).reduce((a, v) => a + Math.exp(v), 0));
        const [zp, zq] = [lse(teacher), lse(student)];
        for (let v = row; v < row + V; v++) {
          const lp = teacher[v] - zp;
          total += Math.exp(lp) * (lp - (student[v] - zq));
        }
      }
      const value = (await measure(kl, s)).value;
      expect(value).toBeGreaterThan(0);
      expect(Math.abs(value - total / 120)).toBeLessThan(1e-5 * Math.max(1, total / 120));
    }
  });

  test('magnitude is the kept weights’ Σ|w|, maximized', async () => {
    const magnitude = (await runPluginContract(magnitudeObjective, { context: ctx })).instances[0];
    expect(magnitude.direction).toBe('maximize');
    const s = members[2];
    expect(await magnitude.evaluate(s)).toBe(weightMagnitude(model)(s));
    const extracted = extractSubNetwork(model, s);
    let sum = 0;
    for (const w of extracted.weights.values()) for (const v of float32Of(w)) sum += Math.abs(v);
    expect(Math.abs((await magnitude.evaluate(s)) as number - sum) / sum).toBeLessThan(1e-6);
  });

  test('an objective that needs weights or held-out text says so, naming itself', () => {
    expect(() => valLossObjective.create({ windows: 1, batch: 1 }, { config })).toThrow("objective 'val-loss' runs the model: it needs the model's weights");
    expect(() => klObjective.create({ windows: 1, batch: 1 }, { config, model })).toThrow("objective 'kl' needs held-out text");
    expect(() => magnitudeObjective.create({}, { config })).toThrow("objective 'magnitude' needs the model's weights");
  });
});
