import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeCuda, resolveDevice, Rng } from '@carve/engine';
import { evaluateTask, ModelScorer, taskPlugins, TaskOrGroup } from '@carve/evaluation';
import { countParams, extractSubNetwork, fullSubNetwork, initLora, initWeights, LanguageModel, loadCheckpoint, loadTokenizer, LoraConfig, resolveConfig, SubNetwork } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { exportModels } from '../export/export-models';
import { evaluateModels, Evaluation } from './evaluate-models';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-evaluate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 });
const model = { config, weights: initWeights(config, new Rng(1), 0.3) };
const loraConfig: LoraConfig = { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'mlp'] };
const adapters = initLora(config, loraConfig, new Rng(2));
const rng = new Rng(3);
for (const [name, b] of adapters) if (name.endsWith('lora_b')) b.forEach((_, i) => (b[i] = rng.normal(0, 0.5)));
const lora = { config: loraConfig, adapters };
const cut: SubNetwork = { embedDim: 12, headSize: 2, layers: [{ index: 1, heads: 2, mlpHidden: 12 }, { index: 2, heads: 2, mlpHidden: 12 }] };
const members = [
  { name: 'full', subNetwork: fullSubNetwork(config) },
  { name: 'cut', subNetwork: cut },
];
const validation = Array.from({ length: 100 }, () => rng.int(config.vocabSize));
const seqLen = 8;

describe('evaluateModels', () => {
  const run = path.join(tmp, 'run');
  let evaluation: Evaluation;
  beforeAll(async () => {
    await exportModels({ model, lora, members, formats: ['hf', 'onnx'] }, run);
    evaluation = await evaluateModels({ models: path.join(run, 'models'), validation, seqLen, latency: { seqLen: 8, warmup: 1, repeats: 3 } }, run);
  });

  test('the loss of each model from disk equals that of the extracted model in memory', async () => {
    expect(evaluation.models.map((m) => m.name)).toEqual(['full', 'cut']);
    for (const [i, m] of evaluation.models.entries()) {
      const lm = await LanguageModel.create(extractSubNetwork(model, members[i].subNetwork, { lora }));
      const expected = await lm.loss(validation, seqLen);
      await lm.dispose();
      expect(Math.abs(m.loss - expected.loss) / expected.loss).toBeLessThanOrEqual(1e-6);
      expect(m.perplexity).toBeCloseTo(Math.exp(m.loss), 10);
      expect(m.tokens).toBe(expected.tokens);
      expect(m.params).toBe(countParams(config, members[i].subNetwork));
    }
  });

  test('latency has both phases, positive, with the settings and the device', async () => {
    const cpu = await resolveDevice('cpu');
    for (const { latency } of evaluation.models) {
      for (const phase of [latency.prefill, latency.decode]) {
        for (const stat of [phase.p50, phase.p90, phase.mean, phase.min]) expect(stat).toBeGreaterThan(0);
      }
      expect(latency.settings).toMatchObject({ seqLen: 8, warmup: 1, repeats: 3 });
      expect(latency.device.executionProvider).toBe('cpu');
      expect(latency.device.description).toBe(cpu.description);
      expect(latency.settings.device).toBe('cpu');
    }
  });

  test("device 'cuda' where CUDA does not work fails before any model is measured", async () => {
    const probe = await probeCuda();
    if (probe.available) return console.log('CUDA is available here: the unavailable-device case is not checked');
    const folder = path.join(tmp, 'cuda');
    await expect(evaluateModels({ models: path.join(run, 'models'), validation, seqLen, device: 'cuda' }, folder)).rejects.toMatchObject({ code: 'device_unavailable' });
    expect(fs.existsSync(folder)).toBe(false);
  });

  test('evaluation.json holds what was returned; model folders may be given as a list', async () => {
    expect(JSON.parse(fs.readFileSync(path.join(run, 'evaluation.json'), 'utf8'))).toEqual(evaluation);
    const listed = await evaluateModels({ models: [path.join(run, 'models', 'cut')], validation, seqLen, latency: { seqLen: 8, warmup: 0, repeats: 1 } }, path.join(tmp, 'listed'));
    expect(listed.models.map((m) => [m.name, m.loss])).toEqual([['cut', evaluation.models[1].loss]]);
  });

  test('a folder without index.json is named in the error', async () => {
    await expect(evaluateModels({ models: tmp, validation, seqLen }, tmp)).rejects.toThrow(/index\.json: cannot read the exported models' index \(ENOENT\)/);
  });

  test('an index naming a model by a path (one read back from a catalog may) is refused before any model is loaded', async () => {
    const models = path.join(tmp, 'tampered', 'models');
    fs.mkdirSync(models, { recursive: true });
    fs.writeFileSync(path.join(models, 'index.json'), JSON.stringify({ models: [{ name: '../../run/models/full' }, { name: '/etc' }] }));
    await expect(evaluateModels({ models, validation, seqLen }, path.join(tmp, 'tampered'))).rejects.toThrow(
      `${path.join(models, 'index.json')}: model names must be folder names in ${models} (letters, digits, '_', '.' and '-'), not "../../run/models/full", "/etc"`,
    );
    expect(fs.readdirSync(path.join(tmp, 'tampered'))).toEqual(['models']);
  });
});

describe('evaluateModels with downstream tasks', () => {
  const embedded = path.resolve(__dirname, '../../../../../models/carve-sotu-1m');
  const tokenizerPath = path.join(embedded, 'tokenizer.json');
  const text = path.join(tmp, 'passages.txt');
  const run = path.join(tmp, 'tasks-run');
  const registry = new PluginRegistry();
  registry.register(taskPlugins);
  const task = () => registry.create<TaskOrGroup>('task', 'text-ending', { documents: 12 }, { text });
  const sotu = loadCheckpoint(embedded);
  const small: SubNetwork = { embedDim: 64, headSize: 32, layers: [0, 1].map((index) => ({ index, heads: 2, mlpHidden: 128 })) };
  let evaluation: Evaluation;
  beforeAll(async () => {
    const words = ['taxes', 'the army', 'our trade', 'the courts', 'the Treasury', 'public lands'];
    fs.writeFileSync(text, Array.from({ length: 16 }, (_, i) => `Congress must act on ${words[i % 6]} this year. The people expect it of us. We shall report on ${words[(i + 1) % 6]} again.`).join('\n\n'));
    const members = [{ name: 'whole', subNetwork: fullSubNetwork(sotu.config) }, { name: 'small', subNetwork: small }];
    await exportModels({ model: sotu, members, formats: ['hf'], tokenizer: tokenizerPath }, run);
    evaluation = await evaluateModels(
      { models: path.join(run, 'models'), validation: Array.from({ length: 40 }, (_, i) => 5 + i), seqLen: 16, latency: { seqLen: 8, warmup: 0, repeats: 1 }, tasks: { tasks: [task()], full: { checkpoint: embedded, tokenizer: tokenizerPath } } },
      run,
    );
  });

  test("each model's score equals the task evaluated on it in memory, and ofFull is its share of the full model's", async () => {
    const tokenizer = loadTokenizer(tokenizerPath);
    const score = async (m: Parameters<typeof LanguageModel.create>[0]) => {
      const lm = await LanguageModel.create(m);
      const result = await evaluateTask(task(), new ModelScorer(lm, tokenizer));
      await lm.dispose();
      return result.metrics.acc_norm!;
    };
    const full = await score(sotu);
    expect(evaluation.tasks?.full?.scores['text-ending']).toEqual({ version: '1.0.0', metric: 'acc_norm', value: full.value, stderr: full.stderr, documents: 12 });
    expect(evaluation.tasks?.full?.results[0].prompts).toMatchObject({ shots: 0, evaluationSplit: 'passages', files: [text] });
    const [whole, cut] = evaluation.models;
    expect(whole.tasks?.['text-ending']).toMatchObject({ value: full.value, ofFull: 1 });
    const expected = await score(extractSubNetwork(sotu, small));
    expect(cut.tasks?.['text-ending']).toMatchObject({ value: expected.value, stderr: expected.stderr, documents: 12 });
    expect(cut.tasks?.['text-ending'].ofFull).toBeCloseTo(expected.value / full.value, 12);
    expect(JSON.parse(fs.readFileSync(path.join(run, 'evaluation.json'), 'utf8'))).toEqual(evaluation);
  });
});
