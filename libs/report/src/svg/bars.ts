/**
 * @module svg/bars
 * Histograms: one bar per bin, placed by its edges on a numeric x axis.
 */
import { escapeHtml } from '../html';
import { chart, ChartOptions } from './axes';
import { axisFor } from './scale';

/** A bin [lo, hi) and how many fell in it. */
export interface Bar {
  lo: number;
  hi: number;
  count: number;
}

export interface BarChartOptions extends Omit<ChartOptions, 'x' | 'y' | 'legend'> {
  bars: readonly Bar[];
  colour: string;
  /** The tooltip of a bar. */
  describe: (bar: Bar) => string;
}

/** A histogram; every bar is a `<rect data-bin="i">`, bins must be finite. */
export function barChart(o: BarChartOptions): string {
  const x = axisFor(o.bars.flatMap((b) => [b.lo, b.hi]));
  const y = axisFor(o.bars.map((b) => b.count), { zero: true, nice: true, minStep: 1 });
  return chart({ ...o, x, y }, (f) => {
    const rects = o.bars.map((b, i) => {
      const [x0, x1, top] = [f.x(Math.min(b.lo, b.hi)), f.x(Math.max(b.lo, b.hi)), f.y(Math.max(0, b.count))];
      return (
        `<rect data-bin="${i}" data-count="${b.count}" x="${(x0 + 0.5).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, x1 - x0 - 1).toFixed(1)}" ` +
        `height="${(f.bottom - top).toFixed(1)}"><title>${escapeHtml(o.describe(b))}</title></rect>`
      );
    });
    return `<g class="bars" fill="${o.colour}">${rects.join('')}</g>`;
  });
}
