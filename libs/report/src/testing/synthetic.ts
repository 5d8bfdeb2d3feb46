/**
 * @module testing/synthetic
 * Deterministic synthetic runs for the tests: a front built by construction, so the
 * tests know exactly which trials are on it.
 */
import { IndexRun } from '../catalog/data';
import { RunReportData, TaskData, TrialData } from '../run/data';

/** A small seeded generator (mulberry32), so every test run sees the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const [SMALLEST, LARGEST] = [10_816, 260_032];

/** Front members first: `frontSize` points on a convex curve, the others each dominated by one of them. */
function trials(count: number, frontSize: number, seed: number, shift = 0): TrialData[] {
  const r = random(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.map((index, i) => {
    const k = i % frontSize;
    const latency = 0.25 + (k * 2.4) / (frontSize - 1) + (i < frontSize ? 0 : 0.03 + r() * 0.35);
    const loss = shift + 1.4 + 4.2 * Math.exp(-1.3 * (latency - 0.25)) + (i < frontSize ? 0 : 0.05 + r() * 0.7);
    const params = Math.round(SMALLEST + ((LARGEST - SMALLEST) * Math.min(1, (latency - 0.25) / 2.7)) * (0.9 + 0.1 * r()));
    const e = [16, 24, 32, 40, 48, 56, 64][Math.min(6, Math.floor(((latency - 0.25) / 2.8) * 7))];
    return { index, params, objectives: { 'val-loss': loss, latency }, onFront: i < frontSize, subNetwork: `E=${e} L=${1 + (k % 5)} h=4 hs=${2 + 2 * (i % 4)} M=129` };
  });
}

/**
 * Scores on three tasks (an accuracy, a normalized accuracy, a perplexity), from near the
 * worst towards the full model's as models grow; `ofFull` as the evaluate stage computes it.
 */
function taskScores(models: readonly { name: string; params: number }[]): TaskData[] {
  const tasks = [
    { name: 'text-cloze', metric: 'acc', worst: 0.31, full: 0.62, documents: 500 },
    { name: 'hellaswag', metric: 'acc_norm', worst: 0.254, full: 0.297, documents: 1000 },
    { name: 'lambada', metric: 'perplexity', worst: 188.6, full: 41.3, documents: 500 },
  ];
  const stderr = (metric: string, value: number, documents: number) => (metric === 'perplexity' ? 0.08 * value : Math.sqrt((value * (1 - value)) / (documents - 1)));
  return tasks.map((t) => ({
    name: t.name,
    metric: t.metric,
    documents: t.documents,
    full: { value: t.full, stderr: stderr(t.metric, t.full, t.documents), params: LARGEST + 31_744 },
    models: models.map((m, i) => {
      const value = t.worst + (t.full - t.worst) * [0.25, 0.6, 0.9][i % 3];
      return { name: m.name, params: m.params, value, stderr: stderr(t.metric, value, t.documents), ofFull: t.metric === 'perplexity' ? t.full / value : value / t.full };
    }),
  }));
}

/** The exported-models table's columns of the task scores, as runReportData writes them. */
function taskColumns(tasks: readonly TaskData[], model: string): Record<string, number> {
  return Object.fromEntries(
    tasks.flatMap((t) => {
      const m = t.models.find((s) => s.name === model)!;
      return [[`${t.name} ${t.metric}`, m.value], [`${t.name} % of full`, 100 * m.ofFull!]];
    }),
  );
}

/** A run of `trials` trials with `front` on the front, a 21-bin histogram, 50 training steps, 3 exported models and their scores on 3 tasks. */
export function syntheticRun(options: { trials?: number; front?: number; seed?: number } = {}): RunReportData {
  const all = trials(options.trials ?? 40, options.front ?? 7, options.seed ?? 1);
  const r = random(2);
  const edges = Array.from({ length: 22 }, (_, i) => SMALLEST + ((LARGEST - SMALLEST) * i) / 21);
  const front = all.filter((t) => t.onFront).sort((a, b) => a.params - b.params);
  const names = ['small', 'medium', 'large'];
  const chosen = [front[0], front[Math.floor(front.length / 2)], front[front.length - 1]];
  const tasks = taskScores(chosen.map((t, i) => ({ name: names[i], params: t.params })));
  return {
    run: {
      id: '2026-11-28-stories260k',
      model: 'stories260K',
      status: 'complete',
      created: '2026-11-28T09:14:03Z',
      timings: { importance: 4.1, train: 47.3, search: 18.2, export: 3.9 },
      spec: { model: 'stories260K', train: { steps: 50, lora: { rank: 8 } }, search: { strategy: 'nsga2', budget: all.length, objectives: ['val-loss', 'latency'] } },
    },
    objectives: [
      { name: 'val-loss', direction: 'minimize' },
      { name: 'latency', direction: 'minimize' },
    ],
    trials: all,
    histogram: { bins: edges.slice(1).map((hi, i) => ({ lo: edges[i], hi, count: i === 0 ? 2 : 1 })) },
    training: {
      train: Array.from({ length: 50 }, (_, i) => ({ step: i + 1, loss: 1.6 + 4 * Math.exp(-(i + 1) / 15) + 0.15 * r() })),
      eval: [10, 20, 30, 40, 50].map((step) => ({
        step,
        losses: { largest: 1.5 + 3 * Math.exp(-step / 15), medium: 2.4 + 2.8 * Math.exp(-step / 18), smallest: 3.6 + 2 * Math.exp(-step / 20) },
      })),
    },
    exported: chosen.map((t, i) => ({
      name: names[i],
      params: t.params,
      objectives: t.objectives,
      evaluation: { loss: t.objectives['val-loss'] + 0.01, perplexity: Math.exp(t.objectives['val-loss'] + 0.01), latency: t.objectives.latency * 1.05, ...taskColumns(tasks, names[i]) },
      files: [
        { path: `models/${names[i]}/model.onnx`, bytes: t.params * 4 + 20_480 },
        { path: `models/${names[i]}/config.json`, bytes: 412 },
      ],
    })),
    tasks,
  };
}

/** Three runs: two sharing val-loss and latency (fronts 7 and 5), one searching val-loss and params (front 4). */
export function syntheticIndex(): IndexRun[] {
  const run = (id: string, size: number, seed: number, shift: number, second: 'latency' | 'params', hypervolume?: number): IndexRun => ({
    id,
    model: 'stories260K',
    status: id.endsWith('c') ? 'running' : 'complete',
    created: `2026-11-2${seed}T10:00:00Z`,
    objectives: [
      { name: 'val-loss', direction: 'minimize' },
      { name: second, direction: 'minimize' },
    ],
    front: trials(size * 3, size, seed, shift)
      .filter((t) => t.onFront)
      .map((t) => ({ index: t.index, objectives: { 'val-loss': t.objectives['val-loss'], [second]: second === 'params' ? t.params : t.objectives.latency } })),
    hypervolume,
  });
  return [run('run-a', 7, 3, 0, 'latency', 4.566), run('run-b', 5, 4, 0.4, 'latency', 3.912), run('run-c', 4, 5, 0.2, 'params')];
}

/**
 * A run that strains the layout: 300 trials, a long objective name to maximize, values in
 * the thousandths and the hundreds of billions, 5,000 training steps, a few non-finite values,
 * a task with a long name whose full model scores above every exported one's error bar,
 * one without a full model and a model without a score.
 */
export function awkwardRun(): RunReportData {
  const data = syntheticRun({ trials: 300, front: 25 });
  const name = 'accuracy-on-a-rather-long-benchmark-name';
  return {
    ...data,
    objectives: [
      { name, direction: 'maximize' },
      { name: 'latency', direction: 'minimize' },
      { name: 'flops', direction: 'minimize' },
    ],
    trials: data.trials.map((t, i) => ({
      ...t,
      objectives: { [name]: 0.62 - 0.01 * t.objectives['val-loss'], latency: i === 7 ? Number.NaN : t.objectives.latency * 1e-3, flops: t.params * 1.3e6 },
    })),
    training: { train: Array.from({ length: 5000 }, (_, i) => ({ step: i, loss: 2 + 3 * Math.exp(-i / 800) + 0.1 * Math.sin(i / 40) })), eval: data.training!.eval },
    tasks: [
      { ...data.tasks![0], name: 'mmlu-high-school-macroeconomics-with-a-rather-long-name', full: { value: 0.97, stderr: 0.004 } },
      { ...data.tasks![2], full: undefined, models: data.tasks![2].models.map((m, i) => ({ ...m, value: i === 1 ? Number.NaN : m.value * 1e3, ofFull: undefined })) },
    ],
  };
}

/** Twelve runs with long ids: more runs than colours, and a legend over several rows. */
export function crowdedIndex(): IndexRun[] {
  return [0, 1, 2, 3].flatMap((k) => syntheticIndex().map((r, i) => ({ ...r, id: `${r.id}-with-a-longer-name-${3 * k + i}` })));
}
