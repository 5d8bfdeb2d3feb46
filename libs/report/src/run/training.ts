/**
 * @module run/training
 * The super-network's training curves from metrics.jsonl: train loss per step, and the
 * validation loss of each evaluated network (largest, medium, smallest) per evaluation.
 */
import { escapeHtml, note } from '../html';
import { PALETTE } from '../palette';
import { lineChart, LineSeries } from '../svg/lines';
import { RunReportData } from './data';

/** Two line charts (`#training-loss`, `#validation-loss`), or notes for what is missing. */
export function trainingPlots(training: RunReportData['training']): string {
  const train = training?.train ?? [];
  const evals = training?.eval ?? [];
  if (!train.length && !evals.length) return note('no training metrics recorded');
  const networks = [...new Set(evals.flatMap((e) => Object.keys(e.losses ?? {})))];
  const series: LineSeries[] = networks.map((name, i) => ({
    name,
    label: name,
    colour: PALETTE[i % PALETTE.length],
    markers: true,
    points: evals.map((e) => ({ x: e.step, y: e.losses?.[name] ?? NaN })),
  }));
  return (
    `<div class="plots">` +
    figure('training-loss', 'train loss per step', [{ name: 'train', label: 'train loss', colour: PALETTE[0], points: train.map((t) => ({ x: t.step, y: t.loss })) }]) +
    figure('validation-loss', 'validation loss per evaluation', series) +
    `</div>`
  );
}

function figure(id: string, title: string, all: LineSeries[]): string {
  const series = all.map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)) }));
  const count = series.reduce((n, s) => n + s.points.length, 0);
  if (!count) return `<figure>${note(`${title}: no data`)}</figure>`;
  const skipped = all.reduce((n, s) => n + s.points.length, 0) - count;
  const svg = lineChart({ id, label: title, xTitle: 'step', yTitle: 'loss', series });
  const caption = `${title[0].toUpperCase()}${title.slice(1)}.` + (skipped ? ` ${skipped} non-finite value${skipped === 1 ? '' : 's'} not drawn.` : '');
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}
