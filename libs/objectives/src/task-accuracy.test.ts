import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateTask, ModelScorer, taskPlugins, TaskOrGroup } from '@carve/evaluation';
import { Rng, Runtime } from '@carve/engine';
import { extractSubNetwork, fullSubNetwork, initLora, initWeights, LanguageModel, LoraTarget, loadTokenizer, resolveConfig, SubNetwork } from '@carve/model';
import { PluginRegistry, runPluginContract } from '@carve/registry';
import { jointSpace } from '@carve/search-space';
import { writeByteTokenizer } from '@carve/test-assets';
import { measure, ObjectiveContext, ObjectiveContextError } from './objective';
import { taskAccuracyObjective } from './task-accuracy';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'task-accuracy-'));
const tokenizer = loadTokenizer(writeByteTokenizer(path.join(dir, 'bytes.bin')));
const text = path.join(dir, 'stories.txt');
// Passages of three sentences or more for text-ending.
fs.writeFileSync(
  text,
  Array.from({ length: 12 }, (_, i) => `Tom had ${i + 2} red balls. He gave one to Sue. Sue was glad and said thank you ${i}. They played ${['all day', 'in the sun', 'until dark', 'at the park'][i % 4]}.`).join('\n\n'),
);
const config = resolveConfig({ name: 'bytes-tiny', family: 'llama', vocabSize: tokenizer.vocabSize, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 128 });
const model = { config, weights: initWeights(config, new Rng(5), 0.5) };
const lora = { config: { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'mlp'] as LoraTarget[] }, adapters: new Map<string, Float32Array>() };
for (const [name, value] of initLora(config, lora.config, new Rng(6))) lora.adapters.set(name, name.endsWith('lora_b') ? value.map((_, i) => Math.cos(i) * 0.2) : value);
const runtime = new Runtime();
afterAll(() => runtime.dispose());
const taskOptions = { data: text, documents: 8 };

test('task-accuracy equals the task evaluated on the extracted sub-network, adapters merged', async () => {
  const ctx: ObjectiveContext = { config, model, lora, tokenizer, runtime, taskContext: { text } };
  const { instances } = await runPluginContract(taskAccuracyObjective, {
    validOptions: [{ task: 'text-ending', taskOptions, limit: 6, metric: 'acc' }],
    invalidOptions: [
      { options: { task: 'text-ending', limit: 0 }, field: 'limit' },
      { options: { task: 'text-ending', metric: 'perplexity' }, field: 'metric' },
    ],
    context: ctx,
  });
  const objective = instances[0];
  expect([objective.name, objective.direction]).toEqual(['task-accuracy', 'maximize']);
  const registry = new PluginRegistry();
  registry.register(taskPlugins);
  const task = registry.create<TaskOrGroup>('task', 'text-ending', taskOptions, {});
  const space = jointSpace(config);
  const members: SubNetwork[] = [fullSubNetwork(config), space.smallest(), space.sample(new Rng(7))];
  for (const s of members) {
    const lm = await LanguageModel.create(extractSubNetwork(model, s, { lora }), { runtime });
    const expected = await evaluateTask(task, new ModelScorer(lm, tokenizer), { limit: 6 });
    await lm.dispose();
    const got = await measure(objective, s);
    expect(got.value).toBe(expected.metrics.acc!.value);
    expect(got.details).toEqual({ task: 'text-ending', version: '1.0.0', metric: 'acc', stderr: expected.metrics.acc!.stderr, documents: 6 });
  }
});

test('the default metric is the primary one, and tasks come from the context’s factory when it has one', async () => {
  const created: string[] = [];
  const registry = new PluginRegistry();
  registry.register(taskPlugins);
  const ctx: ObjectiveContext = {
    config,
    model,
    tokenizer,
    runtime,
    taskContext: { text },
    createTask: (name, options) => {
      created.push(name);
      return registry.create<TaskOrGroup>('task', name, options, { text });
    },
  };
  const objective = taskAccuracyObjective.create(taskAccuracyObjective.options.parse({ task: 'text-cloze', taskOptions: { documents: 5 } }), ctx);
  expect(created).toEqual(['text-cloze']);
  const got = await measure(objective, fullSubNetwork(config));
  expect(got.details).toMatchObject({ metric: 'acc', documents: 5 });
  expect(await measure(objective, fullSubNetwork(config))).toEqual(got);
});

test('what the context lacks, and bad task data, are reported when the objective is created', () => {
  const parse = (o: object) => taskAccuracyObjective.options.parse(o);
  expect(() => taskAccuracyObjective.create(parse({ task: 'text-ending' }), { config, tokenizer })).toThrow(ObjectiveContextError);
  expect(() => taskAccuracyObjective.create(parse({ task: 'text-ending' }), { config, model })).toThrow(/needs the model's tokenizer/);
  expect(() => taskAccuracyObjective.create(parse({ task: 'no-such-task' }), { config, model, tokenizer })).toThrow(/no-such-task/);
  expect(() => taskAccuracyObjective.create(parse({ task: 'text-ending', taskOptions: { data: path.join(dir, 'missing.txt') } }), { config, model, tokenizer })).toThrow(/missing\.txt: cannot read it \(ENOENT\)/);
});
