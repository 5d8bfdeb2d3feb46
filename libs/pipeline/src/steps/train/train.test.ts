import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeCuda, Rng } from '@carve/engine';
import { initWeights, resolveConfig, saveHfCheckpoint } from '@carve/model';
import { createRegistry } from '../../plugins';
import { checkTrainSettings } from './check';
import { loadModelAndSpace } from './model-space';
import { readTrainRun } from './run-folder';
import { TrainSettings, trainSettingsSchema } from './settings';
import { trainSuperNetwork } from './train';
import { writeByteTokenizer } from '@carve/test-assets';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-train-step-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const at = (name: string) => path.join(tmp, name);

/** A tiny random llama whose vocabulary is the 260 ids of a byte-level llama2.c tokenizer. */
const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 260, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 });
saveHfCheckpoint({ config, weights: initWeights(config, new Rng(1), 0.2) }, at('model'));

const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog', 'ran', 'far'];
const story = (i: number) => Array.from({ length: 20 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ') + '.';
fs.writeFileSync(at('stories.txt'), Array.from({ length: 40 }, (_, i) => story(i)).join('\n\n'));

const settings: TrainSettings = trainSettingsSchema.parse({
  checkpoint: at('model'), tokenizer: writeByteTokenizer(at('bytes.bin')), data: [at('stories.txt')], separator: '\n\n', sampler: 'random',
  steps: 4, batchSize: 2, seqLen: 16, loraRank: 2, evalEvery: 2, checkpointEvery: 2, lr: 0.01,
});
const registry = createRegistry([], process.cwd());

test('settings are named as the caller gave them, and advice by the label', () => {
  const issues: string[] = [];
  expect(checkTrainSettings({ ...settings, full: true }, { loraRank: 'training.lora.rank' }, registry, issues)).toBeUndefined();
  expect(issues).toEqual(['training.lora.rank: LoRA settings with full; give full or LoRA settings, not both']);
});

test('a run stopped by the hooks continues from its checkpoint to the end, reporting each step and validation', async () => {
  const folder = at('run');
  const seen: string[] = [];
  const hooks = { onStep: (m: { step: number }, loss: number) => seen.push(`step ${m.step} ${Number.isFinite(loss)}`), onEval: (step: number) => seen.push(`eval ${step}`) };
  const modelAndSpace = loadModelAndSpace(settings, registry);
  const first = await trainSuperNetwork({ settings, registry, modelAndSpace }, folder, { ...hooks, stopAfter: 2 });
  expect(first).toMatchObject({ folder, steps: 2, of: 4, complete: false });
  expect(first.adapters).toBeUndefined();
  expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.run.tmp'))).toEqual([]); // the folder was created whole

  const previous = readTrainRun(folder);
  if (typeof previous === 'string') throw new Error(previous);
  expect(previous.step).toBe(2);
  const second = await trainSuperNetwork({ settings, registry, previous }, folder, hooks);
  expect(second).toMatchObject({ steps: 4, of: 4, complete: true, adapters: path.join(folder, 'adapters.safetensors') });
  expect(Object.keys(second.validation!)).toEqual(['largest', 'medium', 'smallest']);
  expect(seen).toEqual(['step 1 true', 'step 2 true', 'eval 2', 'step 3 true', 'step 4 true', 'eval 4']);
  const metrics = fs.readFileSync(path.join(folder, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
  expect(metrics.map((l) => `${l.type} ${l.step}`)).toEqual(['train 1', 'train 2', 'eval 2', 'train 3', 'train 4', 'eval 4']);
  expect(Object.keys(JSON.parse(fs.readFileSync(path.join(folder, 'run.json'), 'utf8')).carve)).toContain('@carve/pipeline');
});

test('a memory budget picks the micro-batch from measured peaks, and one too small for a row fails before the run folder is made', async () => {
  const modelAndSpace = loadModelAndSpace(settings, registry);
  const choices: { microBatch: number; oneRowMb: number; perRowMb: number; predictedMb: number }[] = [];
  const roomy = await trainSuperNetwork({ settings: { ...settings, batchSize: 4, memoryBudgetMb: 100_000 }, registry, modelAndSpace }, at('budget-run'), { onMemory: (c) => choices.push(c) });
  expect(roomy).toMatchObject({ steps: 4, complete: true });
  expect(choices).toHaveLength(1);
  expect(choices[0].microBatch).toBe(4);
  expect(choices[0].oneRowMb).toBeGreaterThan(30); // Node and ONNX Runtime at the least
  expect(choices[0].predictedMb).toBeGreaterThanOrEqual(choices[0].oneRowMb);
  expect(JSON.parse(fs.readFileSync(at('budget-run/run.json'), 'utf8')).memory).toEqual({ budgetMb: 100_000, ...choices[0] });

  const tight = trainSuperNetwork({ settings: { ...settings, memoryBudgetMb: 1 }, registry, modelAndSpace, label: (n) => `training.${n}` }, at('budget-too-small'));
  await expect(tight).rejects.toThrow(/^training\.memoryBudgetMb: 1 MB is less than a step on one row of 16 tokens takes \(about \d+ MB, the model included\); raise it, or shorten training\.seqLen$/);
  expect(fs.existsSync(at('budget-too-small'))).toBe(false);
});

test("device 'cuda' where CUDA does not work fails before the run folder is made", async () => {
  const probe = await probeCuda();
  if (probe.available) return console.log('CUDA is available here: the unavailable-device case is not checked');
  await expect(trainSuperNetwork({ settings, registry, device: 'cuda' }, at('cuda'))).rejects.toMatchObject({ code: 'device_unavailable' });
  expect(fs.existsSync(at('cuda'))).toBe(false);
});

test('a folder without a run is named by the label', () => {
  expect(readTrainRun(at('nothing'), (name) => `<${name}>`)).toBe(`<resume>: ${at('nothing')} holds no training run (no run.json); start one without <resume>`);
});
