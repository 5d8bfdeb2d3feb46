/**
 * @module svg/lines
 * Line charts of series over a shared x axis (training steps, model sizes).
 */
import { escapeHtml } from '../html';
import { chart, ChartOptions } from './axes';
import { axisFor } from './scale';

/** A series: its points in x order, drawn as a line, with a marker and tooltip per point when `markers`. */
export interface LineSeries {
  /** Set as `data-series` on the line and its markers. */
  name: string;
  label: string;
  colour: string;
  points: readonly { x: number; y: number }[];
  markers?: boolean;
}

export interface LineChartOptions extends Omit<ChartOptions, 'x' | 'y' | 'legend'> {
  series: readonly LineSeries[];
  /** What a marker's tooltip calls x ("step 40: 2.31"). @default 'step' */
  xName?: string;
}

/** A line chart; points must be finite (callers skip and report the others). */
export function lineChart(o: LineChartOptions): string {
  const points = o.series.flatMap((s) => s.points);
  const x = axisFor(points.map((p) => p.x));
  const y = axisFor(points.map((p) => p.y), { pad: 0.05 });
  const legend = o.series.map((s) => ({ label: s.label, colour: s.colour, mark: 'line' as const }));
  return chart({ ...o, x, y, legend }, (f) =>
    o.series
      .map((s) => {
        const name = escapeHtml(s.name);
        const xy = s.points.map((p) => [f.x(p.x).toFixed(1), f.y(p.y).toFixed(1)]);
        const line = `<polyline data-series="${name}" points="${xy.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${s.colour}" stroke-width="1.6" stroke-linejoin="round"/>`;
        const marks = s.markers
          ? s.points.map((p, i) => `<circle class="marker" data-series="${name}" cx="${xy[i][0]}" cy="${xy[i][1]}" r="3.2" fill="${s.colour}"><title>${escapeHtml(`${s.label}, ${o.xName ?? 'step'} ${p.x}: ${Number(p.y.toPrecision(4))}`)}</title></circle>`)
          : [];
        return `<g class="series">${line}${marks.join('')}</g>`;
      })
      .join(''),
  );
}
