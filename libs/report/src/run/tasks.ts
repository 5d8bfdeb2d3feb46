/**
 * @module run/tasks
 * Downstream task scores (lm-eval style) against model size: each exported model with its
 * standard error, beside the full model's score on the same documents.
 */
import { arrow, formatInteger, formatValue } from '../format';
import { escapeHtml, note, slug, uniqueId } from '../html';
import { PALETTE } from '../palette';
import { chart, Frame } from '../svg/axes';
import { axisFor } from '../svg/scale';
import { Direction } from '../svg/scatter';
import { TaskData } from './data';

type Score = { value: number; stderr: number };
type Model = TaskData['models'][number];

/** Perplexities (`perplexity`, `word_perplexity`…) are lower-is-better; accuracies higher. */
export function metricDirection(metric: string): Direction {
  return /perplexity/i.test(metric) ? 'minimize' : 'maximize';
}

/** Per task a heading, a chart (`#task-<name>`) and a table. */
export function taskPlots(tasks: readonly TaskData[]): string {
  const ids = new Set<string>();
  const blocks = tasks.map((t) => {
    const yTitle = `${t.metric} ${arrow(metricDirection(t.metric))}`;
    const body = figure(uniqueId(ids, `task-${slug(String(t.name))}`), t, yTitle) + table(t, yTitle);
    return `<div class="task"><h3>${escapeHtml(t.name)}</h3><div class="plots">${body}</div></div>`;
  });
  return (
    `<p>Each exported model's score against its parameters, ± one standard error; the dashed line is the full (uncompressed) model's. ` +
    `% of full is a model's score over the full model's (for perplexity, the full model's over the model's), so 100% is as good as the full model.</p>${blocks.join('')}`
  );
}

const finite = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
// A missing or zero stderr draws no bar, and must not widen the axis.
const spread = (s: Score) => (finite(s.stderr) && s.stderr > 0 ? s.stderr : 0);

/** A value ± its standard error, which gets two significant digits: more would be noise. */
function score(s: Score): string {
  return finite(s.stderr) ? `${formatValue(s.value)} ± ${Number(s.stderr.toPrecision(2))}` : formatValue(s.value);
}

function figure(id: string, t: TaskData, yTitle: string): string {
  const models = t.models ?? [];
  const drawn = models.filter((m) => finite(m.value) && finite(m.params));
  const full = t.full && finite(t.full.value) ? t.full : undefined;
  if (!drawn.length) return `<figure>${note(`${t.name}: no finite scores to plot`)}</figure>`;
  const x = axisFor(drawn.map((m) => m.params), { pad: 0.08 });
  const y = axisFor([...drawn.flatMap((m) => [m.value - spread(m), m.value + spread(m)]), ...(full ? [full.value] : [])], { pad: 0.08 });
  const svg = chart({ id, label: `${t.name}: ${t.metric} against parameters`, x, y, xTitle: 'params', yTitle, width: 440, height: 280 }, (f) => {
    const bars = drawn.filter((m) => spread(m) > 0).map((m) => {
      const [px, cap, lo, hi] = [f.x(m.params), f.x(m.params) - 3, f.y(m.value - spread(m)), f.y(m.value + spread(m))].map((v) => v.toFixed(1));
      return `<path class="error-bar" data-model="${escapeHtml(m.name)}" d="M${px} ${lo}V${hi}M${cap} ${lo}h6M${cap} ${hi}h6"/>`;
    });
    const dots = drawn.map(
      (m) => `<circle cx="${f.x(m.params).toFixed(1)}" cy="${f.y(m.value).toFixed(1)}" r="4.5" data-model="${escapeHtml(m.name)}"><title>${escapeHtml(tooltip(t, m))}</title></circle>`,
    );
    return (
      (full ? reference(f, t, full) : '') +
      `<g class="error-bars" stroke="${PALETTE[0]}" stroke-width="1.2" fill="none">${bars.join('')}</g>` +
      `<g class="points" fill="${PALETTE[0]}" stroke="#fff" stroke-width="0.8">${dots.join('')}</g>`
    );
  });
  const skipped = models.length - drawn.length;
  const caption =
    `${t.metric} (${metricDirection(t.metric) === 'minimize' ? 'lower' : 'higher'} is better) against parameters` +
    (finite(t.documents) ? `, on ${formatInteger(t.documents)} documents.` : '.') +
    (full ? ` Full model: ${score(full)}.` : ' No full-model score recorded.') +
    (skipped ? ` ${skipped} model${skipped === 1 ? '' : 's'} with a non-finite score or size not drawn.` : '');
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function reference(f: Frame, t: TaskData, full: Score): string {
  const y = f.y(full.value);
  // At the left, where the smallest models usually lie furthest from the full model; below
  // the line when above it would run into the top of the frame.
  const labelY = y - f.top < 16 ? y + 13 : y - 5;
  return (
    `<g class="reference"><title>${escapeHtml(`full model: ${t.metric} ${score(full)}`)}</title>` +
    `<line x1="${f.left}" y1="${y.toFixed(1)}" x2="${f.right}" y2="${y.toFixed(1)}" stroke="#52606d" stroke-width="1.4" stroke-dasharray="6 4"/>` +
    `<text class="reference-label" x="${f.left + 6}" y="${labelY.toFixed(1)}">full model</text></g>`
  );
}

function tooltip(t: TaskData, m: Model): string {
  return [`${m.name}: ${t.metric} ${score(m)}`, `params: ${formatInteger(m.params)}`, ...(finite(m.ofFull) ? [`${formatValue(100 * m.ofFull)}% of full`] : [])].join('\n');
}

function table(t: TaskData, yTitle: string): string {
  const row = (name: string, params: number | undefined, s: Score, ofFull: number | undefined, attributes = '') =>
    `<tr${attributes}><td>${escapeHtml(name)}</td><td class="num">${finite(params) ? formatInteger(params) : '—'}</td>` +
    `<td class="num">${finite(s.value) ? escapeHtml(score(s)) : '—'}</td><td class="num">${finite(ofFull) ? `${escapeHtml(formatValue(100 * ofFull))}%` : '—'}</td></tr>`;
  const rows = [...(t.full ? [row('full model', t.full.params, t.full, finite(t.full.value) ? 1 : undefined, ' class="full"')] : []), ...(t.models ?? []).map((m) => row(m.name, m.params, m, m.ofFull))];
  const head = `<tr><th>model</th><th class="num">params</th><th class="num">${escapeHtml(yTitle)}</th><th class="num">% of full</th></tr>`;
  return `<table class="tasks">${head}${rows.join('')}</table>`;
}
