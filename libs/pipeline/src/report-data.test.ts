import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_FILES, runReportData } from './report-data';

const RUN = { id: 'r', model: 'stories260K', status: 'complete', created: '2026-11-28T09:14:03Z', timings: {}, spec: {} };

let folder: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-report-data-'));
});
afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

function write(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
  fs.writeFileSync(path.join(folder, file), JSON.stringify(value));
}

const score = (metric: string, value: number, stderr: number, ofFull?: number) => ({ version: '1', metric, value, stderr, documents: 40, ...(ofFull === undefined ? {} : { ofFull }) });
const latency = { prefill: { p50: 2, p90: 3, mean: 2, min: 1 }, decode: { p50: 0.5, p90: 0.6, mean: 0.5, min: 0.4 }, settings: {}, device: {} };
const measured = (name: string, params: number, tasks?: Record<string, unknown>) => ({ name, path: `models/${name}`, loss: 2, perplexity: Math.exp(2), tokens: 100, params, latency, ...(tasks ? { tasks } : {}) });

function writeModels(): void {
  const model = (name: string, params: number) => ({ name, params, subNetwork: {}, objectives: { 'val-loss': 2 }, files: { 'model.safetensors': { bytes: params * 4, sha256: '0' } } });
  write(RUN_FILES.models, { source: { name: 'stories260K', family: 'llama', params: 260_000 }, lora: true, models: [model('small', 10_000), model('large', 200_000)] });
}

test('task scores become columns of the exported models and a task list beside the full model, in evaluation order', () => {
  writeModels();
  write(RUN_FILES.evaluation, {
    seqLen: 32,
    // evaluation.json lists the large model first: the task list keeps that order.
    models: [
      measured('large', 200_000, { 'text-ending': score('acc_norm', 0.3, 0.02, 0.75), 'text-cloze': score('perplexity', 50, 4, 0.8) }),
      measured('small', 10_000, { 'text-ending': score('acc_norm', 0.25, 0.02, 0.625), 'text-cloze': score('perplexity', 80, 6, 0.5) }),
    ],
    tasks: { settings: { limit: 40 }, full: { path: 'model', scores: { 'text-ending': score('acc_norm', 0.4, 0.03), 'text-cloze': score('perplexity', 40, 3) }, results: [] } },
  });
  const data = runReportData(folder, RUN);
  const small = data.exported.find((m) => m.name === 'small')!;
  expect(Object.keys(small.evaluation)).toEqual(['loss', 'perplexity', 'latency prefill p50', 'latency decode p50', 'text-ending acc_norm', 'text-ending % of full', 'text-cloze perplexity', 'text-cloze % of full']);
  expect(small.evaluation['text-ending acc_norm']).toBe(0.25);
  expect(small.evaluation['text-ending % of full']).toBeCloseTo(62.5, 12);
  expect(small.evaluation['text-cloze % of full']).toBeCloseTo(50, 12);
  expect(data.tasks).toEqual([
    {
      name: 'text-ending',
      metric: 'acc_norm',
      documents: 40,
      full: { value: 0.4, stderr: 0.03, params: 260_000 },
      models: [
        { name: 'large', params: 200_000, value: 0.3, stderr: 0.02, ofFull: 0.75 },
        { name: 'small', params: 10_000, value: 0.25, stderr: 0.02, ofFull: 0.625 },
      ],
    },
    {
      name: 'text-cloze',
      metric: 'perplexity',
      documents: 40,
      full: { value: 40, stderr: 3, params: 260_000 },
      models: [
        { name: 'large', params: 200_000, value: 50, stderr: 4, ofFull: 0.8 },
        { name: 'small', params: 10_000, value: 80, stderr: 6, ofFull: 0.5 },
      ],
    },
  ]);
});

test('without a full model the scores have no percentage, and without tasks there is no task list', () => {
  writeModels();
  write(RUN_FILES.evaluation, { seqLen: 32, models: [measured('small', 10_000, { 'text-cloze': score('acc', 0.5, 0.05) }), measured('large', 200_000, {})], tasks: { settings: {} } });
  const data = runReportData(folder, RUN);
  expect(data.tasks).toEqual([{ name: 'text-cloze', metric: 'acc', documents: 40, models: [{ name: 'small', params: 10_000, value: 0.5, stderr: 0.05 }] }]);
  expect(data.exported[0].evaluation).toMatchObject({ 'text-cloze acc': 0.5 });
  expect(Object.keys(data.exported[0].evaluation)).not.toContain('text-cloze % of full');

  write(RUN_FILES.evaluation, { seqLen: 32, models: [measured('small', 10_000), measured('large', 200_000)] });
  const untasked = runReportData(folder, RUN);
  expect(untasked).not.toHaveProperty('tasks');
  expect(Object.keys(untasked.exported[0].evaluation)).toEqual(['loss', 'perplexity', 'latency prefill p50', 'latency decode p50']);
  expect(runReportData(fs.mkdtempSync(path.join(folder, 'empty-')), RUN)).not.toHaveProperty('tasks');
});
