/**
 * @module svg/axes
 * The frame every chart shares: an <svg> with a legend on top, grid lines, axes with tick
 * labels and axis titles, and the scales that place data inside it.
 */
import { escapeHtml } from '../html';
import { formatTick } from '../format';
import { legend, LegendItem } from './legend';
import { Axis, linearScale } from './scale';

/** The plot area inside the svg and the scales onto it. */
export interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
  x: (v: number) => number;
  y: (v: number) => number;
}

/** What a chart draws: its id, axes, titles, legend and the data drawn into the frame. */
export interface ChartOptions {
  id: string;
  /** Read by screen readers and shown as the chart's accessible name. */
  label: string;
  x: Axis;
  y: Axis;
  xTitle: string;
  yTitle: string;
  legend?: readonly LegendItem[];
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 20, top: 14, bottom: 46 };

/** A complete chart: `draw` gets the frame and returns the data's SVG, drawn over the grid. */
export function chart(o: ChartOptions, draw: (f: Frame) => string): string {
  const [width, height] = [o.width ?? 540, o.height ?? 340];
  const key = legend(o.legend ?? [], MARGIN.left, MARGIN.top + 4, width - MARGIN.left - MARGIN.right);
  const [left, right, top, bottom] = [MARGIN.left, width - MARGIN.right, MARGIN.top + key.height + 8, height - MARGIN.bottom];
  const f: Frame = { left, right, top, bottom, x: linearScale(o.x.domain, [left, right]), y: linearScale(o.y.domain, [bottom, top]) };
  return (
    `<svg id="${escapeHtml(o.id)}" class="plot" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${escapeHtml(o.label)}" font-size="11">` +
    `${key.svg}${grid(o, f)}${draw(f)}${axes(o, f, height)}</svg>`
  );
}

const at = (v: number) => v.toFixed(1);

function grid(o: ChartOptions, f: Frame): string {
  const xs = o.x.ticks.map((t) => `<line x1="${at(f.x(t))}" y1="${f.top}" x2="${at(f.x(t))}" y2="${f.bottom}"/>`);
  const ys = o.y.ticks.map((t) => `<line x1="${f.left}" y1="${at(f.y(t))}" x2="${f.right}" y2="${at(f.y(t))}"/>`);
  return `<g class="grid" stroke="#edf0f3">${xs.join('')}${ys.join('')}</g>`;
}

function axes(o: ChartOptions, f: Frame, height: number): string {
  const largest = (a: Axis) => Math.max(Math.abs(a.domain[0]), Math.abs(a.domain[1]));
  const xLabels = o.x.ticks.map((t) => `<line x1="${at(f.x(t))}" y1="${f.bottom}" x2="${at(f.x(t))}" y2="${f.bottom + 4}" stroke="#52606d"/><text class="tick" x="${at(f.x(t))}" y="${f.bottom + 16}" text-anchor="middle">${formatTick(t, o.x.step, largest(o.x))}</text>`);
  const yLabels = o.y.ticks.map((t) => `<line x1="${f.left - 4}" y1="${at(f.y(t))}" x2="${f.left}" y2="${at(f.y(t))}" stroke="#52606d"/><text class="tick" x="${f.left - 7}" y="${at(f.y(t) + 3.5)}" text-anchor="end">${formatTick(t, o.y.step, largest(o.y))}</text>`);
  const midY = (f.top + f.bottom) / 2;
  return (
    `<g class="x-axis"><line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="#52606d"/>${xLabels.join('')}` +
    `<text class="axis-title" x="${(f.left + f.right) / 2}" y="${height - 10}" text-anchor="middle">${fit(o.xTitle, f.right - f.left)}</text></g>` +
    `<g class="y-axis"><line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="#52606d"/>${yLabels.join('')}` +
    `<text class="axis-title" x="14" y="${midY}" text-anchor="middle" transform="rotate(-90 14 ${midY})">${fit(o.yTitle, f.bottom - f.top)}</text></g>`
  );
}

// A generous width per character of the 11px bold axis titles.
const TITLE_CHAR = 7;

/** An axis title cut to `px` with an ellipsis, the whole title kept as its tooltip. */
function fit(title: string, px: number): string {
  const max = Math.max(4, Math.floor(px / TITLE_CHAR));
  return title.length <= max ? escapeHtml(title) : `${escapeHtml(`${title.slice(0, max - 1)}…`)}<title>${escapeHtml(title)}</title>`;
}
