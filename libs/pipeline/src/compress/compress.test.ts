import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeCuda, resolveDevice, Runtime, Tensor } from '@carve/engine';
import { fullSubNetwork, LanguageModel, loadCheckpoint, loadTokenizer } from '@carve/model';
import { ValidationEvaluator } from '@carve/objectives';
import { hfDecoderLogits } from '@carve/test-hf-onnx';
import { parseRunSpec, RunSpec } from '@carve/spec';
import { Catalog, CatalogBackend, catalogBackendPlugins } from '@carve/catalog';
import { startS3Server } from '../../../catalog/src/testing/s3-server';
import { MARKERS, StageMarker } from '../stages';
import { readRunLock, RUN_LOCK_FILE } from './run-lock';
import { EMBEDDED_MODEL, embeddedCorpus } from './context';
import { compress, planCompress } from './run';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-compress-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const corpus = embeddedCorpus();
/** A run small enough for a test: a few documents, a few steps, a few trials, on the embedded model. */
const tiny = (root: string, extra: Record<string, unknown> = {}): RunSpec =>
  parseRunSpec({
    data: { train: corpus.train.slice(-3), validation: corpus.validation.slice(-1), calibration: corpus.train.slice(-1) },
    importance: { samples: 8, seqLen: 64 },
    training: { steps: 4, batchSize: 2, seqLen: 64, threads: 2 },
    search: { budget: 6, strategy: { name: 'nsga2', options: { population: 4 } }, objectives: [{ name: 'val-loss', options: { seqLen: 64, windows: 4 } }, { name: 'params' }] },
    latency: { repeats: 2, warmup: 1, seqLen: 16 },
    export: { max: 2 },
    evaluation: { limit: 12 },
    output: { root },
    ...extra,
  });
const STAGES = ['data', 'importance', 'grid', 'train', 'search', 'export', 'evaluate', 'report'];
const marker = (folder: string, stage: string) => JSON.parse(fs.readFileSync(path.join(folder, MARKERS, `${stage}.json`), 'utf8')) as StageMarker;

describe('a tiny run on the embedded model, end to end', () => {
  const root = path.join(tmp, 'catalog');
  const spec = tiny(root);
  let result: Awaited<ReturnType<typeof compress>>;
  const events: string[] = [];
  beforeAll(async () => {
    result = await compress(spec, { onStage: (e) => events.push(`${e.stage} ${e.phase}`) });
  });

  test('every stage runs once, in order, and leaves its marker and files', () => {
    expect(events).toEqual(STAGES.flatMap((s) => [`${s} start`, `${s} done`]));
    const f = (...p: string[]) => path.join(result.folder, ...p);
    for (const stage of STAGES) expect(marker(result.folder, stage).stage).toBe(stage);
    for (const file of ['spec.json', 'manifest.json', 'importance/importance.json', 'grid.json', 'train/adapters.safetensors', 'search.json', 'trials.json', 'front.json', 'models/index.json', 'evaluation.json', 'report.html']) {
      expect([file, fs.existsSync(f(file))]).toEqual([file, true]);
    }
    expect(fs.existsSync(f(RUN_LOCK_FILE))).toBe(false); // released once the run completed
    const manifest = JSON.parse(fs.readFileSync(f('manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: result.id, status: 'complete', summary: { objectives: ['val-loss', 'params'] } });
    expect(manifest.stages.map((s: { name: string }) => s.name)).toEqual(STAGES);
    // Each finished stage records the process's peak memory so far: positive, never falling.
    const peaks = manifest.stages.map((s: { peakRssMb: number }) => s.peakRssMb);
    expect(peaks.every((p: number) => p > 0)).toBe(true);
    expect(peaks).toEqual([...peaks].sort((a: number, b: number) => a - b));
    const trials = JSON.parse(fs.readFileSync(f('trials.json'), 'utf8'));
    expect(trials).toHaveLength(6);
    // The grid in the report is the one training drew from (its middle member is training's 'medium').
    const grid = JSON.parse(fs.readFileSync(f('grid.json'), 'utf8'));
    const run = JSON.parse(fs.readFileSync(f('train/run.json'), 'utf8'));
    expect(grid.members[Math.floor(grid.members.length / 2)]).toEqual(run.evaluation.medium.subNetwork);
    expect(grid.histogram.bins.reduce((a: number, b: { count: number }) => a + b.count, 0)).toBe(grid.members.length);
    const html = fs.readFileSync(f('report.html'), 'utf8');
    expect(html.match(/data-trial="/g)!.length).toBeGreaterThanOrEqual(6);
  });

  test("the manifest and every latency record the device 'auto' resolved to", async () => {
    const auto = await resolveDevice('auto');
    const manifest = JSON.parse(fs.readFileSync(path.join(result.folder, 'manifest.json'), 'utf8'));
    expect(manifest.device).toEqual({ requested: 'auto', provider: auto.provider, description: auto.description });
    const evaluation = JSON.parse(fs.readFileSync(path.join(result.folder, 'evaluation.json'), 'utf8'));
    for (const m of evaluation.models) expect(m.latency.device).toMatchObject({ executionProvider: auto.provider, description: auto.description });
    expect(evaluation.models[0].latency.settings.device).toBe(auto.provider);
  });

  test('the exported models load from disk and reproduce the search’s measurements', async () => {
    const index = JSON.parse(fs.readFileSync(path.join(result.folder, 'models/index.json'), 'utf8'));
    expect(index.models.length).toBeGreaterThanOrEqual(1);
    expect(index.models.length).toBeLessThanOrEqual(2);
    const runtime = new Runtime();
    const tokenizer = loadTokenizer(path.join(EMBEDDED_MODEL, 'tokenizer.json'));
    const ids = tokenizer.encode(fs.readFileSync(path.join(result.folder, 'data/validation.txt'), 'utf8'), { bos: true });
    const evaluation = JSON.parse(fs.readFileSync(path.join(result.folder, 'evaluation.json'), 'utf8'));
    for (const m of index.models) {
      const dir = path.join(result.folder, 'models', m.name);
      expect(Object.keys(m.files).sort()).toEqual(expect.arrayContaining(['config.json', 'onnx/model.onnx', 'model.safetensors', 'tokenizer.json']));
      const model = loadCheckpoint(dir);
      // The search's val-loss, recomputed on the standalone model (adapters merged) over the same windows.
      const loss = await new ValidationEvaluator(model, ids, undefined, runtime, { seqLen: 64, windows: 4 }).loss(fullSubNetwork(model.config));
      expect(Math.abs(loss - m.objectives['val-loss'])).toBeLessThan(1e-4);
      expect(m.params).toBe(m.objectives.params);
      // The ONNX file computes the same logits as the safetensors model.
      const tokens = ids.slice(0, 16);
      const lm = await LanguageModel.create(model, { runtime });
      const expected = (await lm.logits(Tensor.from('int64', [1, 16], tokens))).data as Float32Array;
      await lm.dispose();
      const got = (await hfDecoderLogits(path.join(dir, 'onnx', 'model.onnx'), [tokens])).logits;
      expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-4);
      const e = evaluation.models.find((x: { name: string }) => x.name === m.name);
      expect(e.params).toBe(m.params);
      expect(e.latency.prefill.p50).toBeGreaterThan(0);
    }
    await runtime.dispose();
  });

  test('the default tasks, built from the held-out text, are scored on every exported model and on the full one', () => {
    const evaluation = JSON.parse(fs.readFileSync(path.join(result.folder, 'evaluation.json'), 'utf8'));
    expect(evaluation.tasks.settings).toMatchObject({ limit: 12 });
    expect(evaluation.tasks.full.path).toBe(EMBEDDED_MODEL);
    for (const scores of [evaluation.tasks.full.scores, ...evaluation.models.map((m: { tasks: unknown }) => m.tasks)]) {
      expect(Object.keys(scores)).toEqual(['text-cloze', 'text-ending']);
      expect(scores['text-cloze']).toMatchObject({ metric: 'acc', documents: 12 });
      expect(scores['text-ending']).toMatchObject({ metric: 'acc_norm', documents: 12 });
    }
    expect(evaluation.tasks.full.results[0].prompts.files).toEqual([path.join(result.folder, 'data/validation.txt')]);
    for (const m of evaluation.models) {
      for (const [name, score] of Object.entries(m.tasks as Record<string, { value: number; ofFull?: number }>)) {
        const full = evaluation.tasks.full.scores[name].value;
        if (full > 0) expect(score.ofFull).toBeCloseTo(score.value / full, 12);
      }
    }
    const html = fs.readFileSync(path.join(result.folder, 'report.html'), 'utf8');
    expect(html).toContain('id="section-tasks"');
    expect(html.match(/<circle[^>]*data-model=/g)?.length).toBe(2 * evaluation.models.length);
  });

  test('a rerun skips every finished stage; a changed search redoes exactly the stages after it', async () => {
    const again: string[] = [];
    await compress(spec, { onStage: (e) => again.push(`${e.stage} ${e.phase}`) });
    expect(again).toEqual(STAGES.map((s) => `${s} skip`));
    const changed = tiny(root, { search: { ...spec.search, budget: 7 } });
    const plan = planCompress(changed, { run: result.id }).plan;
    expect(plan.map((p) => `${p.name} ${p.decision.action}${p.decision.action === 'run' ? ` ${p.decision.reason}` : ''}`)).toEqual([
      'data skip', 'importance skip', 'grid skip', 'train skip', 'search run inputs changed', 'export run upstream ran', 'evaluate run upstream ran', 'report run upstream ran',
    ]);
  });

  test('a corrupted artifact is detected and its stage (and those after it) run again', async () => {
    const trials = path.join(result.folder, 'trials.json');
    fs.writeFileSync(trials, '[]');
    const plan = planCompress(spec, { run: result.id }).plan;
    expect(plan.find((p) => p.name === 'search')!.decision).toEqual({ action: 'run', reason: 'output changed', detail: 'trials.json differs from what the stage wrote' });
    const rerun: string[] = [];
    await compress(spec, { run: result.id, onStage: (e) => e.phase !== 'done' && rerun.push(`${e.stage} ${e.phase}`) });
    expect(rerun).toEqual(['data skip', 'importance skip', 'grid skip', 'train skip', 'search start', 'export start', 'evaluate start', 'report start']);
    expect(JSON.parse(fs.readFileSync(trials, 'utf8'))).toHaveLength(6); // replayed from search.json, not re-evaluated
  });
});

test('a run killed during training completes on a rerun without repeating finished stages', async () => {
  const root = path.join(tmp, 'killed');
  const spec = tiny(root, { training: { steps: 40, batchSize: 2, seqLen: 64, threads: 1 } });
  const specFile = path.join(tmp, 'killed.json');
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const { folder } = planCompress(spec);
  const bin = path.resolve(__dirname, '../../../../apps/cli/bin/carve.js');
  const child = spawn(process.execPath, [bin, 'compress', specFile], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const checkpoint = path.join(folder, 'train', 'checkpoints', 'latest.json');
  while (!fs.existsSync(checkpoint) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  expect(fs.existsSync(path.join(folder, MARKERS, 'train.json'))).toBe(false); // killed mid-training
  const importanceFinished = marker(folder, 'importance').finished;
  const events: string[] = [];
  await compress(spec, { onStage: (e) => e.phase !== 'done' && events.push(`${e.stage} ${e.phase}`) });
  expect(events).toEqual(['data skip', 'importance skip', 'grid skip', 'train start', 'search start', 'export start', 'evaluate start', 'report start']);
  expect(marker(folder, 'importance').finished).toBe(importanceFinished);
  // Training continued from its checkpoint: every step logged once.
  const steps = fs.readFileSync(path.join(folder, 'train', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'train').map((m) => m.step);
  expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
});

test('compress holds the run folder\'s lock while it works, and removes it when the run fails', async () => {
  const root = path.join(tmp, 'locked');
  const spec = tiny(root);
  const folder = path.join(root, 'runs', '20261206-1200-f41105');
  const held: unknown[] = [];
  const stop = (e: { stage: string }) => {
    held.push(readRunLock(folder));
    if (e.stage === 'data') throw new Error('stopped by the test');
  };
  await expect(compress(spec, { run: path.basename(folder), onStage: stop })).rejects.toThrow('stopped by the test');
  expect(held).toEqual([expect.objectContaining({ pid: process.pid })]);
  expect(fs.existsSync(path.join(folder, RUN_LOCK_FILE))).toBe(false);
  expect(JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8'))).toMatchObject({ status: 'failed', error: 'stopped by the test' });
});

test("device 'cuda' where CUDA does not work fails before anything is written", async () => {
  const probe = await probeCuda();
  if (probe.available) return console.log('CUDA is available here: the unavailable-device case is not checked');
  const root = path.join(tmp, 'cuda');
  await expect(compress(tiny(root, { device: 'cuda' }))).rejects.toMatchObject({ code: 'device_unavailable', message: expect.stringMatching(/^device cuda is not available: .*or use device cpu$/) });
  expect(fs.existsSync(root)).toBe(false);
});

test('a bad spec or a missing model file is reported before anything is written', () => {
  const root = path.join(tmp, 'bad');
  expect(() => parseRunSpec({ training: { steps: 0 }, search: { constraints: [{ objective: 'latency', max: 1 }], objectives: [{ name: 'val-loss' }] } })).toThrow(
    /run spec: 2 problems: training.steps: .*; search.constraints.0.objective: 'latency' is not an objective of the search \(val-loss\)/,
  );
  expect(() => planCompress(parseRunSpec({ model: { checkpoint: path.join(tmp, 'nope') }, output: { root } }))).toThrow(`model.checkpoint: ${path.join(tmp, 'nope')}: no such file or folder`);
  // A misspelt plugin name is refused before training, not when its stage comes.
  expect(() => planCompress(parseRunSpec({ search: { objectives: [{ name: 'val-los' }] }, evaluation: { tasks: [{ name: 'hellaswg' }] }, output: { root } }))).toThrow(
    /search.objectives.0.name: .*val-los.*; evaluation.tasks.0.name: .*hellaswg/,
  );
  expect(fs.existsSync(root)).toBe(false);
});

test('an unreachable S3 catalog fails with a clear error after its retries, before any stage runs', async () => {
  const root = path.join(tmp, 's3-work');
  const spec = tiny(root, { output: { catalog: 's3', root, bucket: 'runs', endpoint: 'http://127.0.0.1:1', region: 'us-east-1' } });
  const events: string[] = [];
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  try {
    await expect(compress(spec, { onStage: (e) => events.push(e.stage) })).rejects.toThrow(/catalog s3:\/\/runs\/ at http:\/\/127\.0\.0\.1:1: .*cannot connect \(ECONNREFUSED\) after \d+ attempts/);
  } finally {
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  }
  expect(events).toEqual([]);
});

test('with an S3 catalog, the run is published to the bucket, its manifest last and complete', async () => {
  const server = await startS3Server('runs');
  const saved = { ...process.env };
  Object.assign(process.env, server.env);
  try {
    const root = path.join(tmp, 's3-run');
    const spec = tiny(root, { output: { catalog: 's3', root, bucket: 'runs', prefix: 'team', endpoint: server.endpoint, region: 'us-east-1' } });
    const result = await compress(spec);
    const backend = catalogBackendPlugins.find((p) => p.name === 's3')!.create({ bucket: 'runs', prefix: 'team', endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1', maxAttempts: 3 } as never, { env: process.env }) as CatalogBackend;
    const catalog = new Catalog(backend);
    const [run] = await catalog.listRuns();
    expect(run).toMatchObject({ id: result.id, status: 'complete', objectives: ['val-loss', 'params'] });
    const { files } = await catalog.showRun(result.id);
    expect(files).toEqual(expect.arrayContaining(['front.json', 'trials.json', 'report.html', 'models/index.json', 'evaluation.json', 'manifest.json']));
    expect(files).not.toContain(RUN_LOCK_FILE); // in the folder at every publish, but the process's, not the run's
  } finally {
    process.env = saved;
    await server.stop();
  }
});
