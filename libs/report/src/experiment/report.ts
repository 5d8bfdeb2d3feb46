/**
 * @module experiment/report
 * The page of an experiment (`carve experiment`): the method against its baselines and its
 * ablations, over seeds. Figures in the manner of the paper's (loss against parameters, loss
 * against latency, the ablations, the first task's score against parameters), the budget
 * table that says which method is best at each size, the dominance of the method over each
 * baseline, and the hypervolumes. Every figure is also returned alone, for SVG files.
 */
import { formatInteger, formatValue } from '../format';
import { escapeHtml, note, page, section } from '../html';
import { PALETTE } from '../palette';
import { ScatterLayer, scatterPlot } from '../svg/scatter';

type Scores = Record<string, { metric: string; value: number; stderr: number }>;

/** What the page shows; the experiment library's results have this shape. */
export interface ExperimentReportData {
  name: string;
  description: string;
  /** The command that made it, for the reader to rerun. */
  command: string;
  model: string;
  seeds: readonly number[];
  arms: readonly { name: string; ablation: string; description: string }[];
  results: {
    reference: { params: number; loss: number; latencyMs: number; tasks: Scores; hypervolumeReference: readonly number[] };
    points: readonly { method: string; kind: 'arm' | 'baseline'; seed: number; name: string; params: number; latencyMs: number; loss: number; tasks: Scores }[];
    methods: readonly { method: string; kind: 'arm' | 'baseline'; seeds: readonly number[]; hypervolume: { mean: number; std: number; perSeed: readonly number[] } }[];
    budgets: readonly { fraction: number; params: number; best: string; entries: readonly { method: string; seeds: number; loss: { mean: number; std: number }; tasks: Record<string, number> }[] }[];
    dominance: readonly { baseline: string; wins: readonly number[]; losses: readonly number[] }[];
  };
}

type Point = ExperimentReportData['results']['points'][number];

/** The figures, by file name (without .svg). */
export function experimentFigures(data: ExperimentReportData): Record<string, string> {
  const { points, reference } = data.results;
  const compared = points.filter((p) => p.kind === 'baseline' || p.method === 'method');
  const arms = points.filter((p) => p.kind === 'arm');
  const task = Object.keys(reference.tasks)[0];
  const figures: Record<string, string> = {
    'loss-vs-params': plot('loss-vs-params', 'held-out loss against parameters: the method and the baselines', compared, (p) => p.params, (p) => p.loss, 'parameters', 'held-out loss ↓', 'minimize', reference.params, reference.loss),
    'loss-vs-latency': plot('loss-vs-latency', 'held-out loss against prefill latency: the method and the baselines', compared, (p) => p.latencyMs, (p) => p.loss, 'prefill latency, ms (median)', 'held-out loss ↓', 'minimize', reference.latencyMs, reference.loss),
    ablations: plot('ablations', 'held-out loss against parameters: the ablations', arms, (p) => p.params, (p) => p.loss, 'parameters', 'held-out loss ↓', 'minimize', reference.params, reference.loss),
  };
  if (task) {
    const metric = reference.tasks[task].metric;
    const maximize = !/perplexity/i.test(metric);
    figures[`task-${task}`] = plot(
      `task-${task}`, `${task} ${metric} against parameters`, compared.filter((p) => p.tasks[task]), (p) => p.params, (p) => p.tasks[task].value,
      'parameters', `${task} ${metric} ${maximize ? '↑' : '↓'}`, maximize ? 'maximize' : 'minimize', reference.params, reference.tasks[task].value,
    );
  }
  return figures;
}

/** One scatter of every method's points (all seeds), each method's non-dominated points joined, the original as a star. */
function plot(id: string, label: string, points: readonly Point[], x: (p: Point) => number, y: (p: Point) => number, xTitle: string, yTitle: string, yDirection: 'minimize' | 'maximize', refX: number, refY: number): string {
  const methods = [...new Set(points.map((p) => p.method))];
  const finite = points.filter((p) => Number.isFinite(x(p)) && Number.isFinite(y(p)));
  if (!finite.length) return note(`${label}: nothing to plot`);
  const layers: ScatterLayer[] = methods.map((method, i) => ({
    label: method,
    colour: method === 'method' ? '#d9480f' : PALETTE[i % PALETTE.length],
    radius: method === 'method' ? 5 : 4,
    staircase: true,
    points: finite.filter((p) => p.method === method).map((p) => ({ x: x(p), y: y(p), title: `${p.method}, seed ${p.seed}: ${p.name}, ${formatInteger(p.params)} params, loss ${formatValue(p.loss)}`, data: { method: p.method, seed: p.seed, model: p.name } })),
  }));
  layers.push({ label: 'original', colour: '#222', radius: 6, points: [{ x: refX, y: refY, title: `the original model: ${formatInteger(refX)}, ${formatValue(refY)}`, data: { method: 'original', seed: -1, model: 'original' } }] });
  return scatterPlot({ id, label, xTitle, yTitle, layers, directions: { x: 'minimize', y: yDirection }, width: 640, height: 400 });
}

const pm = (mean: number, std: number) => `${formatValue(mean)}${std > 0 ? ` ± ${Number(std.toPrecision(2))}` : ''}`;
const percent = (f: number) => `${Math.round(f * 100)}%`;

function budgetTable(data: ExperimentReportData): string {
  const { budgets } = data.results;
  const methods = [...new Set(budgets.flatMap((b) => b.entries.map((e) => e.method)))];
  const tasks = Object.keys(data.results.reference.tasks);
  const head = `<tr><th>method</th>${budgets.map((b) => `<th>≤ ${percent(b.fraction)} (${formatInteger(b.params)})</th>`).join('')}</tr>`;
  const rows = methods.map((method) => {
    const cells = budgets.map((b) => {
      const e = b.entries.find((x) => x.method === method);
      if (!e) return '<td>—</td>';
      const text = `${pm(e.loss.mean, e.loss.std)}${tasks.length ? `<br><small>${tasks.map((t) => `${escapeHtml(t)} ${formatValue(e.tasks[t])}`).join(', ')}</small>` : ''}${e.seeds < data.seeds.length ? ` <small>(${escapeHtml(e.seeds)} seeds)</small>` : ''}`;
      return b.best === method ? `<td class="best"><strong>${text}</strong></td>` : `<td>${text}</td>`;
    });
    return `<tr><th>${escapeHtml(method)}</th>${cells.join('')}</tr>`;
  });
  return (
    `<p>Each cell: the lowest held-out loss among the method's models within the budget, mean ± standard deviation over seeds (bold: the best method), and the task scores of those models. ` +
    `The original model: loss ${formatValue(data.results.reference.loss)}${tasks.map((t) => `, ${escapeHtml(t)} ${formatValue(data.results.reference.tasks[t].value)}`).join('')}.</p>` +
    `<table class="budgets">${head}${rows.join('')}</table>`
  );
}

function dominanceTable(data: ExperimentReportData): string {
  const rows = data.results.dominance.map(
    (d) => `<tr><th>${escapeHtml(d.baseline)}</th><td>${d.wins.map(percent).join(', ') || '—'}</td><td>${d.losses.map(percent).join(', ') || '—'}</td></tr>`,
  );
  return `<p>At which budgets the method's best loss is lower than the baseline's (means over seeds).</p><table><tr><th>baseline</th><th>method better at</th><th>method not better at</th></tr>${rows.join('')}</table>`;
}

function hypervolumeTable(data: ExperimentReportData): string {
  const [rx, ry] = data.results.reference.hypervolumeReference;
  const rows = [...data.results.methods]
    .sort((a, b) => b.hypervolume.mean - a.hypervolume.mean)
    .map((m) => `<tr><th>${escapeHtml(m.method)}</th><td>${escapeHtml(m.kind)}</td><td>${pm(m.hypervolume.mean, m.hypervolume.std)}</td><td>${m.hypervolume.perSeed.map((v) => formatValue(v)).join(', ')}</td></tr>`);
  return (
    `<p>Hypervolume of (parameters / the original's, held-out loss), higher is better, from the fixed reference point (${escapeHtml(rx)}, ${escapeHtml(formatValue(ry))}): full size and the loss of a uniform guess over the vocabulary.</p>` +
    `<table><tr><th>method</th><th>kind</th><th>hypervolume</th><th>per seed</th></tr>${rows.join('')}</table>`
  );
}

/** The self-contained HTML page. */
export function renderExperimentReport(data: ExperimentReportData): string {
  const figures = experimentFigures(data);
  const arms = data.arms.map((a) => `<tr><th>${escapeHtml(a.name)}</th><td>${escapeHtml(a.ablation)}</td><td>${escapeHtml(a.description)}</td></tr>`).join('');
  const body = [
    `<h1>${escapeHtml(data.name)}: ${escapeHtml(data.model)}</h1>`,
    `<p>${escapeHtml(data.description)}. Seeds ${escapeHtml(data.seeds.join(', '))}. Made by <code>${escapeHtml(data.command)}</code>.</p>`,
    section('section-budgets', 'Best loss within each parameter budget', budgetTable(data)),
    section('section-dominance', 'The method against each baseline', dominanceTable(data)),
    section('section-figures', 'Figures', Object.values(figures).map((svg) => `<figure>${svg}</figure>`).join('')),
    section('section-hypervolume', 'Hypervolumes', hypervolumeTable(data)),
    section('section-arms', 'Arms', `<table><tr><th>arm</th><th>varies</th><th>what differs from the method</th></tr>${arms}</table>`),
  ].join('\n');
  return page(`${data.name}: ${data.model}`, body);
}
