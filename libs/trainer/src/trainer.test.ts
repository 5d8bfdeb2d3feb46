import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng, Runtime, Tensor } from '@carve/engine';
import { initLora, initWeights, LoraConfig, resolveConfig } from '@carve/model';
import { PluginDefinition, runPluginContract } from '@carve/registry';
import { randomSampler } from '@carve/sampler';
import { jointSpace } from '@carve/search-space';
import { SuperNetworkStep } from './step';
import { sandwichKdStrategy, TrainingStrategy } from './strategies';
import { BatchSource, StepMetrics, SuperNetworkTrainer } from './trainer';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 32, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 });
const T = 8;
// With dropout, so resuming must also replay the dropout masks.
const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0.1, targets: ['q', 'v', 'mlp'] };
const space = jointSpace(config);

/** Random token batches from a seeded generator whose state is the data position. */
function source(seed: number): BatchSource {
  const rng = new Rng(seed);
  return {
    nextBatch: (B) => {
      const ids = Array.from({ length: B * (T + 1) }, () => rng.int(32));
      const rows = Array.from({ length: B }, (_, b) => ids.slice(b * (T + 1), (b + 1) * (T + 1)));
      return { tokens: Tensor.from('int64', [B, T], rows.flatMap((r) => r.slice(0, T))), targets: Tensor.from('int64', [B, T], rows.flatMap((r) => r.slice(1))) };
    },
    getState: () => rng.getState(),
    setState: (s) => rng.setState(s as number[]),
  };
}

async function makeTrainer(runtime: Runtime, onStep?: (m: StepMetrics) => void): Promise<{ trainer: SuperNetworkTrainer; adapters: Map<string, Float32Array> }> {
  const weights = initWeights(config, new Rng(1), 0.2);
  const adapters = initLora(config, lora, new Rng(2));
  const step = new SuperNetworkStep({ config, weights, lora: { config: lora, adapters }, trainable: 'lora', runtime, seqLen: T, dropoutRng: new Rng(5) });
  const strategy = (await runPluginContract(sandwichKdStrategy as PluginDefinition<unknown, TrainingStrategy, unknown>, { validOptions: [{ n: 2 }], context: { smallest: space.smallest() } }))
    .instances[0];
  const samplerRng = new Rng(3);
  const trainer = new SuperNetworkTrainer({
    step,
    strategy,
    sampler: randomSampler({ space, rng: samplerRng }),
    samplerRng,
    data: source(4),
    batchSize: 2,
    accumulation: 2,
    steps: 6,
    warmupSteps: 2,
    lr: 5e-3,
    clip: 1,
    onStep,
  });
  return { trainer, adapters };
}

test('a run killed after 3 steps and resumed from its checkpoint ends with exactly the same adapters', async () => {
  const runtime = new Runtime();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-'));
  const metrics: StepMetrics[] = [];
  const whole = await makeTrainer(runtime, (m) => metrics.push(m));
  await whole.trainer.run();

  const first = await makeTrainer(runtime);
  await first.trainer.run(3);
  first.trainer.save(dir);
  const resumed = await makeTrainer(runtime); // a fresh process would start like this
  resumed.trainer.load(dir);
  expect(resumed.trainer.stepsDone).toBe(3);
  await resumed.trainer.run();
  await runtime.dispose();

  for (const [name, a] of whole.adapters) expect(Array.from(resumed.adapters.get(name)!)).toEqual(Array.from(a)); // bitwise
  expect(metrics).toHaveLength(6);
  expect(metrics[0].networks).toHaveLength(3); // full + smallest + one sampled
  expect(metrics[0].networks[1].kd).toBeGreaterThanOrEqual(0);
  expect(fs.readdirSync(dir).sort()).toEqual(['latest.json', 'step-000003']);
});

test('resuming from a folder without a checkpoint says so', async () => {
  const runtime = new Runtime();
  const { trainer } = await makeTrainer(runtime);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-empty-'));
  expect(() => trainer.load(empty)).toThrow(`${empty}: no checkpoint to resume from (latest.json is missing)`);
  await runtime.dispose();
});
