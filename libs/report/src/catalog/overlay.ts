/**
 * @module catalog/overlay
 * The fronts of several runs in one plot, for each pair of first two objectives they share.
 */
import { arrow, formatValue } from '../format';
import { escapeHtml, note, slug, uniqueId } from '../html';
import { PALETTE } from '../palette';
import { scatterPlot } from '../svg/scatter';
import { IndexRun } from './data';

/** The colour of the i-th run of the index, the same in the table and in every plot. */
export const runColour = (i: number) => PALETTE[i % PALETTE.length];

/** One overlay plot per distinct pair of first two objectives, or a note when no run has two. */
export function overlayPlots(runs: readonly IndexRun[]): string {
  const groups = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const [a, b] = r.objectives ?? [];
    if (!a || !b) return;
    const key = JSON.stringify([a.name, b.name]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  if (!groups.size) return note('no run has two objectives: no fronts to compare');
  const ids = new Set<string>();
  const plots = [...groups.values()].map((members) => overlay(members.map((i) => [runs[i], i] as const), ids));
  return `<div class="plots">${plots.join('')}</div>`;
}

function overlay(members: readonly (readonly [IndexRun, number])[], ids: Set<string>): string {
  const [y, x] = members[0][0].objectives;
  let skipped = 0;
  const layers = members.map(([run, i]) => {
    const front = run.front ?? [];
    const finite = front.filter((m) => Number.isFinite(m.objectives?.[x.name]) && Number.isFinite(m.objectives?.[y.name]));
    skipped += front.length - finite.length;
    const points = finite.map((m) => ({
      x: m.objectives[x.name],
      y: m.objectives[y.name],
      title: `${run.id}, trial ${m.index}\n${y.name}: ${formatValue(m.objectives[y.name])}\n${x.name}: ${formatValue(m.objectives[x.name])}`,
      data: { run: run.id, trial: m.index },
    }));
    return { label: run.id, colour: runColour(i), radius: 4.5, staircase: true, points };
  });
  const svg = scatterPlot({
    id: uniqueId(ids, `overlay-${slug(y.name)}-vs-${slug(x.name)}`),
    label: `Pareto fronts: ${y.name} against ${x.name}`,
    xTitle: `${x.name} ${arrow(x.direction)}`,
    yTitle: `${y.name} ${arrow(y.direction)}`,
    directions: { x: x.direction, y: y.direction },
    layers,
    width: 720,
    height: 420,
  });
  const whose = members.length === 1 ? `Pareto front of ${members[0][0].id}, the only run` : `Pareto fronts of the ${members.length} runs`;
  const caption = `${whose} searching ${y.name} and ${x.name} first.` + (skipped ? ` ${skipped} member${skipped === 1 ? '' : 's'} with non-finite values not drawn.` : '');
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}
