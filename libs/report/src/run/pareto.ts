/**
 * @module run/pareto
 * The Pareto plots: the first objective against each other objective and against
 * parameters, every trial faint and the front on top.
 */
import { arrow, formatInteger, formatValue } from '../format';
import { escapeHtml, note, slug, uniqueId } from '../html';
import { ACCENT, FAINT } from '../palette';
import { ScatterPoint, scatterPlot } from '../svg/scatter';
import { ObjectiveSpec, TrialData } from './data';

const PARAMS: ObjectiveSpec = { name: 'params', direction: 'minimize' };

/** One `<figure>` per plot, or notes saying why there is none. */
export function paretoPlots(objectives: readonly ObjectiveSpec[], trials: readonly TrialData[]): string {
  if (!objectives.length) return note('no objectives recorded: nothing to plot');
  if (!trials.length) return note('no trials recorded');
  const [y, ...others] = objectives;
  const xs = [...others, PARAMS].filter((o, i, all) => o.name !== y.name && all.findIndex((p) => p.name === o.name) === i);
  if (!xs.length) return note(`only one objective (${y.name}): nothing to plot it against`);
  const ids = new Set<string>();
  const figures = xs.map((x) => figure(uniqueId(ids, `pareto-${slug(y.name)}-vs-${slug(x.name)}`), y, x, objectives, trials));
  return `<p>Axes: ↓ lower is better, ↑ higher is better. Hover a point for its trial.</p><div class="plots">${figures.join('')}</div>`;
}

function figure(id: string, y: ObjectiveSpec, x: ObjectiveSpec, objectives: readonly ObjectiveSpec[], trials: readonly TrialData[]): string {
  const drawn = trials.filter((t) => Number.isFinite(value(t, x.name)) && Number.isFinite(value(t, y.name)));
  const point = (t: TrialData): ScatterPoint => ({ x: value(t, x.name), y: value(t, y.name), title: tooltip(t, objectives), data: { trial: t.index, front: t.onFront } });
  const front = drawn.filter((t) => t.onFront);
  const svg = scatterPlot({
    id,
    label: `${y.name} against ${x.name}`,
    xTitle: `${x.name} ${arrow(x.direction)}`,
    yTitle: `${y.name} ${arrow(y.direction)}`,
    directions: { x: x.direction, y: y.direction },
    layers: [
      { label: `other trials (${drawn.length - front.length})`, colour: FAINT, opacity: 0.6, radius: 3.5, points: drawn.filter((t) => !t.onFront).map(point) },
      { label: `Pareto front (${front.length})`, colour: ACCENT, radius: 5, staircase: true, points: front.map(point) },
    ],
  });
  const skipped = trials.length - drawn.length;
  const caption =
    `${y.name} against ${x.name}. The front is non-dominated in all objectives; the line joins those of its members that are also non-dominated in these two.` +
    (skipped ? ` ${skipped} trial${skipped === 1 ? '' : 's'} with a non-finite ${y.name} or ${x.name} not drawn.` : '');
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

// `params` is a field of every trial; when it is also an objective, the objective's value wins.
function value(t: TrialData, name: string): number {
  return name === PARAMS.name ? (t.objectives?.[name] ?? t.params) : (t.objectives?.[name] ?? NaN);
}

function tooltip(t: TrialData, objectives: readonly ObjectiveSpec[]): string {
  return [
    `trial ${t.index}${t.onFront ? ' (on the front)' : ''}`,
    ...objectives.filter((o) => o.name !== PARAMS.name).map((o) => `${o.name}: ${formatValue(value(t, o.name))}`),
    `params: ${formatInteger(value(t, PARAMS.name))}`,
    ...(t.subNetwork ? [t.subNetwork] : []),
  ].join('\n');
}
