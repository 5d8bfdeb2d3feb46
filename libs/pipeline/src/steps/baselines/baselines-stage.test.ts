/**
 * The baselines stage of a compression run: a tiny run on the embedded model with three
 * pruning baselines and the paper's fine-tuned sub-networks, each measured at the size of
 * every exported model, on the same held-out windows as the exported models.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { baselinePlugins, PruningBaseline } from '@carve/baselines';
import { LanguageModel, loadCheckpoint, loadTokenizer } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { parseRunSpec } from '@carve/spec';
import { EMBEDDED_MODEL, embeddedCorpus } from '../../compress/context';
import { compress } from '../../compress/run';
import { BaselinesFile } from './run-baselines';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-baselines-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const corpus = embeddedCorpus();

describe('a run with baselines', () => {
  const spec = parseRunSpec({
    data: { train: corpus.train.slice(-3), validation: corpus.validation.slice(-1), calibration: corpus.train.slice(-1) },
    importance: { samples: 8, seqLen: 64 },
    training: { steps: 4, batchSize: 2, seqLen: 64, threads: 2 },
    search: { budget: 6, strategy: { name: 'nsga2', options: { population: 4 } }, objectives: [{ name: 'val-loss', options: { seqLen: 64, windows: 4 } }, { name: 'params' }] },
    latency: { repeats: 2, warmup: 1, seqLen: 16 },
    export: { max: 2 },
    evaluation: { limit: 8 },
    baselines: {
      methods: [{ name: 'magnitude-width' }, { name: 'magnitude-width', fineTune: false }, { name: 'block-depth', fineTune: false }, { name: 'flap', fineTune: false }],
      subNetworks: true,
      fineTune: { steps: 3 },
      samples: 4,
    },
    output: { root: path.join(tmp, 'catalog') },
  });
  let folder: string;
  let events: string[];
  let file: BaselinesFile;
  beforeAll(async () => {
    events = [];
    folder = (await compress(spec, { onStage: (e) => e.phase === 'done' && events.push(e.stage) })).folder;
    file = JSON.parse(fs.readFileSync(path.join(folder, 'baselines.json'), 'utf8'));
  });

  test('runs after the evaluation and measures every method at every exported size', () => {
    expect(events).toEqual(['data', 'importance', 'grid', 'train', 'search', 'export', 'evaluate', 'baselines', 'report']);
    const evaluation = JSON.parse(fs.readFileSync(path.join(folder, 'evaluation.json'), 'utf8'));
    const exported = evaluation.models as { name: string; params: number; tokens: number }[];
    const methods = ['magnitude-width+ft', 'magnitude-width', 'block-depth', 'flap', 'subnetwork+ft'];
    // At the original's size pruning keeps the original: one fine-tuned original stands for every method there.
    const at = (e: { params: number }) => (e.params === file.original.params ? ['original+ft', 'subnetwork+ft'] : methods);
    expect(exported.some((e) => e.params === file.original.params)).toBe(true);
    expect(file.models.map((m) => `${m.method}@${m.target}`).sort()).toEqual(exported.flatMap((e) => at(e).map((m) => `${m}@${e.name}`)).sort());
    for (const m of file.models) {
      const target = exported.find((e) => e.name === m.target)!;
      // The same held-out windows as the exported models, and the same tasks.
      expect(m.tokens).toBe(target.tokens);
      expect(Object.keys(m.tasks ?? {}).sort()).toEqual(['text-cloze', 'text-ending']);
      // Width pruning and the paper's sub-networks keep the exported shape exactly.
      if (m.method.startsWith('magnitude-width') || m.method === 'subnetwork+ft') expect(m.params).toBe(target.params);
      if (m.method === 'original+ft') expect(m.params).toBe(file.original.params);
      expect(m.steps).toBe(m.method.endsWith('+ft') ? (m.method === 'subnetwork+ft' ? file.subNetworkSteps : 3) : 0);
      expect(m.latency.prefill.p50).toBeGreaterThan(0);
    }
    // 4 training steps, 2 sampled sub-networks per sandwich-KD step, shared among the grid's points: at least one step each.
    expect(file.subNetworkSteps).toBe(1);
    expect(file.original).toMatchObject({ params: 791680, vocabSize: 512, tokens: exported[0].tokens });
    // The report shows them beside the exported models: every method has points in the figure.
    const html = fs.readFileSync(path.join(folder, 'report.html'), 'utf8');
    expect(html).toContain('id="section-baselines"');
    for (const m of methods) expect(html).toContain(`data-method="${m}"`);
  });

  test('depth pruning and FLAP fit the size unless they are at their smallest; the un-tuned width baseline is exactly the plugin’s pruned model', async () => {
    const evaluation = JSON.parse(fs.readFileSync(path.join(folder, 'evaluation.json'), 'utf8'));
    const config = loadCheckpoint(EMBEDDED_MODEL).config;
    for (const m of file.models.filter((x) => x.method === 'block-depth' || x.method === 'flap')) {
      const target = evaluation.models.find((e: { name: string }) => e.name === m.target);
      const smallest = m.method === 'block-depth' ? m.kept!.layers.length === 1 : m.kept!.heads.every((h) => h.length === config.nQueryGroups) && m.kept!.neurons.every((n) => n.length === 1);
      expect({ method: m.method, fits: m.params <= target.params || smallest }).toEqual({ method: m.method, fits: true });
    }
    const index = JSON.parse(fs.readFileSync(path.join(folder, 'models/index.json'), 'utf8'));
    const registry = new PluginRegistry();
    registry.register(baselinePlugins);
    const smaller = index.models.find((m: { params: number }) => m.params < file.original.params);
    const pruned = await registry.create<PruningBaseline>('baseline', 'magnitude-width', {}, {}).prune(loadCheckpoint(EMBEDDED_MODEL), smaller.subNetwork, {});
    const ids = loadTokenizer(path.join(EMBEDDED_MODEL, 'tokenizer.json')).encode(fs.readFileSync(path.join(folder, 'data/validation.txt'), 'utf8'), { bos: true });
    const lm = await LanguageModel.create(pruned.checkpoint);
    const { loss } = await lm.loss(ids, evaluation.seqLen);
    await lm.dispose();
    const recorded = file.models.find((m) => m.method === 'magnitude-width' && m.target === smaller.name)!;
    expect(recorded.loss).toBeCloseTo(loss, 6);
  });

  test('fine-tuning changes the model: the tuned and the un-tuned width baselines differ', () => {
    const tuned = file.models.filter((m) => m.method === 'magnitude-width+ft');
    const plain = file.models.filter((m) => m.method === 'magnitude-width');
    tuned.forEach((t, i) => {
      expect(t.trainLoss).toBeGreaterThan(0);
      expect(t.loss).not.toBeCloseTo(plain[i].loss, 6);
    });
  });

  test('the same weights with the same fine-tuning are measured once: a later model names the one it shares', () => {
    for (const m of file.models.filter((x) => x.sameAs !== undefined)) {
      const first = file.models.find((x) => x.name === m.sameAs)!;
      expect(file.models.indexOf(first)).toBeLessThan(file.models.indexOf(m));
      expect(first.sameAs).toBeUndefined();
      expect({ steps: m.steps, loss: m.loss, params: m.params }).toEqual({ steps: first.steps, loss: first.loss, params: first.params });
    }
    // Models that are measured apart are different models or differently tuned.
    const own = file.models.filter((m) => m.sameAs === undefined);
    const keys = own.map((m) => `${m.steps} ${m.loss}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
