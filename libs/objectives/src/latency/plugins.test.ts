import { resolveDevice, Rng } from '@carve/engine';
import { fullSubNetwork, initWeights, resolveConfig } from '@carve/model';
import { runPluginContract } from '@carve/registry';
import { explicitSpace, jointSpace } from '@carve/search-space';
import { measure, ObjectiveContext } from '../objective';
import { latencyObjective, latencyObjectivePlugins, predictedLatencyObjective } from './plugins';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 });
const model = { config, weights: initWeights(config, new Rng(1), 0.3) };
const space = jointSpace(config);
const ctx: ObjectiveContext = { config, model, space, seed: 3 };
const quick = { seqLen: 8, repeats: 3, warmup: 0 };

test('both plugins are exported', () => {
  expect(latencyObjectivePlugins.map((p) => p.name)).toEqual(['latency', 'latency-predicted']);
});

test('latency meets the plugin contract and reports the chosen statistic with both phases', async () => {
  const [objective] = (
    await runPluginContract(latencyObjective, {
      validOptions: [{ ...quick, phase: 'decode', statistic: 'p90' }],
      invalidOptions: [
        { options: { statistic: 'p99' }, field: 'statistic' },
        { options: { repeats: 0 }, field: 'repeats' },
        { options: { phase: 'train' }, field: 'phase' },
      ],
      context: ctx,
    })
  ).instances;
  expect(objective).toMatchObject({ name: 'latency', direction: 'minimize' });
  const m = await measure(objective, fullSubNetwork(config));
  expect(m.value).toBe(m.details!['decode.p90']);
  expect(m.details).toMatchObject({ threads: 1, batch: 1, seqLen: 8 });
  for (const key of ['prefill.p50', 'prefill.p90', 'decode.p50', 'decode.p90']) expect(m.details![key]).toBeGreaterThan(0);
  expect(typeof m.details!.cpu).toBe('string');
  // Used alone, the objective measures on the CPU, and every measurement says so.
  expect(m.details).toMatchObject({ provider: 'cpu', device: (await resolveDevice('cpu')).description });
});

test("latency's device option picks the provider its details name", async () => {
  expect(latencyObjective.options.parse({}).device).toBe('cpu');
  expect(() => latencyObjective.options.parse({ device: 'gpu' })).toThrow();
  const auto = await resolveDevice('auto');
  const objective = latencyObjective.create(latencyObjective.options.parse({ ...quick, device: 'auto' }), ctx);
  const m = await measure(objective, fullSubNetwork(config));
  expect(m.details).toMatchObject({ provider: auto.provider, device: auto.description });
});

test('latency names itself and what it misses, and checks settings against the model', () => {
  const defaults = latencyObjective.options.parse({});
  expect(() => latencyObjective.create(defaults, { config })).toThrow(/objective 'latency' .*weights/);
  expect(() => latencyObjective.create({ ...defaults, seqLen: 32 }, ctx)).toThrow(/seqLen: 32 is not an integer in \[1, 31\]/);
});

test('latency-predicted fits once on measured members of the space and keeps a measured twin', async () => {
  const [objective] = (
    await runPluginContract(predictedLatencyObjective, {
      validOptions: [{ ...quick, trainSize: 6, holdout: 3 }],
      invalidOptions: [{ options: { trainSize: 0 }, field: 'trainSize' }],
      context: ctx,
    })
  ).instances;
  expect(objective.name).toBe('latency-predicted');
  const s = space.sample(new Rng(9));
  const m = await measure(objective, s);
  const { predictor, evaluation } = await objective.predictor();
  expect(m.value).toBe(predictor.predict(s));
  expect(m.details).toEqual({ predicted: 1, mape: evaluation.mape, maxApe: evaluation.maxApe });
  expect(evaluation.n).toBe(3);
  expect(await objective.predictor()).toBe(await objective.predictor());
  const measured = await measure(objective.measured, s);
  expect(measured.value).toBe(measured.details!['prefill.p50']);
});

test('latency-predicted names what it misses', () => {
  const defaults = predictedLatencyObjective.options.parse({});
  expect(() => predictedLatencyObjective.create(defaults, { config, space })).toThrow(/objective 'latency-predicted' .*weights/);
  expect(() => predictedLatencyObjective.create(defaults, { config, model })).toThrow(/objective 'latency-predicted' .*search space/);
  const tinySpace = explicitSpace(config, { embedDim: [8, 16], heads: [4], headSize: [4], mlpHidden: [24], depth: [2] });
  expect(() => predictedLatencyObjective.create(defaults, { config, model, space: tinySpace })).toThrow(/has 2 members, fewer than trainSize \+ holdout = 50/);
});
