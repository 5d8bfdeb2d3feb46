/**
 * An experiment end to end on the embedded model, as small as it can be: the method and the
 * search-only arm for one seed, two baselines and the fine-tuned sub-networks, then the
 * results folder; and a rerun that finds everything done.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { embeddedCorpus } from '@carve/pipeline';
import { ExperimentDefinition } from './definition';
import { paperExperiment } from './experiments/paper';
import { ExperimentOptions, runExperiment } from './run-experiment';
import { writeResults } from './write-results';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-experiment-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const corpus = embeddedCorpus();

const definition: ExperimentDefinition = {
  ...paperExperiment,
  baselines: () => ({ baselines: { methods: [{ name: 'magnitude-width' }, { name: 'flap', fineTune: false }], subNetworks: true, fineTune: { steps: 2 }, samples: 4 } }),
};
const options: ExperimentOptions = {
  definition,
  base: {
    data: { train: corpus.train.slice(-2), validation: corpus.validation.slice(-1), calibration: corpus.train.slice(-1) },
    importance: { samples: 8, seqLen: 64 },
    training: { steps: 3, batchSize: 2, seqLen: 64, threads: 2 },
    search: { budget: 6, objectives: [{ name: 'val-loss', options: { seqLen: 64, windows: 4 } }, { name: 'params' }] },
    latency: { repeats: 2, warmup: 1, seqLen: 16 },
    export: { max: 2 },
    evaluation: { limit: 8 },
  },
  seeds: [0],
  arms: ['search-random'],
  out: path.join(tmp, 'exp'),
};

describe('a tiny experiment', () => {
  const stages: string[] = [];
  let result: Awaited<ReturnType<typeof runExperiment>>;
  beforeAll(async () => {
    result = await runExperiment({ ...options, onRun: (e) => e.stage && stages.push(`${e.arm}:${e.stage}`) });
  });

  test('the search-only arm searches the method’s own super-network: its training is copied, not redone', () => {
    expect(result.runs.map((r) => r.id)).toEqual(['method-s0', 'search-random-s0']);
    expect(stages.filter((s) => s.startsWith('search-random:'))).toEqual(['search-random:search', 'search-random:export', 'search-random:evaluate', 'search-random:report']);
    const [method, fork] = result.runs.map((r) => fs.readFileSync(path.join(r.folder, 'train', 'adapters.safetensors')));
    expect(fork.equals(method)).toBe(true);
    expect(fs.existsSync(path.join(result.runs[1].folder, 'baselines.json'))).toBe(false);
    const manifest = JSON.parse(fs.readFileSync(path.join(result.runs[1].folder, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: 'search-random-s0', status: 'complete' });
  });

  test('every exported and baseline model is a point, measured against the original', () => {
    const methods = [...new Set(result.results.points.map((p) => p.method))].sort();
    expect(methods).toEqual(['flap', 'magnitude-width+ft', 'method', 'original+ft', 'search-random', 'subnetwork+ft']);
    expect(result.results.reference.params).toBe(791680);
    expect(result.results.reference.hypervolumeReference).toEqual([1, Math.log(512)]); // a uniform guess over its 512 tokens
    for (const p of result.results.points) expect(Number.isFinite(p.loss) && p.params > 0 && p.latencyMs > 0).toBe(true);
    expect(result.results.budgets).toHaveLength(3);
    expect(result.results.dominance.map((d) => d.baseline).sort()).toEqual(['flap', 'magnitude-width+ft', 'subnetwork+ft']);
  });

  test('the results folder holds the tables, one SVG per figure and the report', () => {
    const info = { name: 'paper', description: definition.description, command: 'carve experiment paper', model: 'carve-sotu-1m', quick: false, seeds: [0], arms: definition.arms({ quick: false }).slice(0, 1), runs: result.runs };
    const written = writeResults(options.out, info, result.results);
    const md = fs.readFileSync(written.markdown, 'utf8');
    expect(md).toContain('| method | ≤ 25% (197,920) | ≤ 50% (395,840) | ≤ 75% (593,760) |');
    expect(md).toMatch(/\| magnitude-width\+ft \| .* \|/);
    for (const figure of ['loss-vs-params', 'loss-vs-latency', 'ablations', 'task-text-cloze']) {
      const svg = fs.readFileSync(path.join(options.out, 'figures', `${figure}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('data-method="original"');
    }
    expect(fs.readFileSync(path.join(options.out, 'figures', 'loss-vs-params.svg'), 'utf8')).toContain('data-method="flap"');
    const html = fs.readFileSync(written.report, 'utf8');
    for (const id of ['section-budgets', 'section-dominance', 'section-figures', 'section-hypervolume', 'section-arms']) expect(html).toContain(`id="${id}"`);
    expect(JSON.parse(fs.readFileSync(path.join(options.out, 'results.json'), 'utf8')).results.points).toHaveLength(result.results.points.length);
  });

  test('rerunning the experiment finds every run done and gives the same results', async () => {
    const again: string[] = [];
    const second = await runExperiment({ ...options, onRun: (e) => e.stage && again.push(e.stage) });
    expect(again).toEqual([]);
    expect(second.results).toEqual(result.results);
  });
});
