/**
 * @module svg/scatter
 * Scatter plots of trials in layers (all trials faint, a front on top), each layer's front
 * optionally joined by its attainment staircase.
 */
import { escapeHtml } from '../html';
import { chart, ChartOptions } from './axes';
import { axisFor } from './scale';

export type Direction = 'minimize' | 'maximize';

/** A point, its tooltip and its `data-*` attributes (so tests and scripts can find it). */
export interface ScatterPoint {
  x: number;
  y: number;
  title: string;
  data: Record<string, string | number | boolean>;
}

/** Points drawn alike; later layers are drawn on top. */
export interface ScatterLayer {
  label: string;
  colour: string;
  points: readonly ScatterPoint[];
  radius?: number;
  opacity?: number;
  /** Join the layer's points that are non-dominated in this plot by their attainment staircase. */
  staircase?: boolean;
}

export interface ScatterOptions extends Omit<ChartOptions, 'x' | 'y' | 'legend'> {
  layers: readonly ScatterLayer[];
  directions: { x: Direction; y: Direction };
}

/** A scatter plot; points must be finite (callers skip and report the others). */
export function scatterPlot(o: ScatterOptions): string {
  const all = o.layers.flatMap((l) => l.points);
  const x = axisFor(all.map((p) => p.x), { pad: 0.05 });
  const y = axisFor(all.map((p) => p.y), { pad: 0.06 });
  const legend = o.layers.map((l) => ({ label: l.label, colour: l.colour, mark: 'point' as const }));
  return chart({ ...o, x, y, legend }, (f) =>
    o.layers
      .map((l) => {
        const line = l.staircase ? staircase(l.points, o.directions).map((p) => `${f.x(p.x).toFixed(1)},${f.y(p.y).toFixed(1)}`) : [];
        const path = line.length > 1 ? `<polyline class="staircase" points="${line.join(' ')}" fill="none" stroke="${l.colour}" stroke-width="1.8"/>` : '';
        const dots = l.points.map((p) => {
          const data = Object.entries(p.data).map(([k, v]) => ` data-${k.replace(/[^a-z0-9-]/g, '')}="${escapeHtml(v)}"`);
          return `<circle cx="${f.x(p.x).toFixed(1)}" cy="${f.y(p.y).toFixed(1)}" r="${l.radius ?? 4}"${data.join('')}><title>${escapeHtml(p.title)}</title></circle>`;
        });
        return `<g class="layer" fill="${l.colour}" fill-opacity="${l.opacity ?? 1}" stroke="#fff" stroke-width="0.8">${path}${dots.join('')}</g>`;
      })
      .join(''),
  );
}

const better = (a: number, b: number, d: Direction) => (d === 'minimize' ? a < b : a > b);

/**
 * The boundary of the region the points dominate: the non-dominated points by x, joined
 * through the corner of each consecutive pair that takes the worse x and the worse y.
 */
export function staircase(points: readonly { x: number; y: number }[], d: { x: Direction; y: Direction }): { x: number; y: number }[] {
  const dominated = (p: { x: number; y: number }) =>
    points.some((q) => !better(p.x, q.x, d.x) && !better(p.y, q.y, d.y) && (better(q.x, p.x, d.x) || better(q.y, p.y, d.y)));
  const front = points.filter((p) => !dominated(p)).sort((a, b) => a.x - b.x || a.y - b.y);
  return front.flatMap((p, i) => {
    if (i === 0) return [p];
    const q = front[i - 1];
    return [{ x: better(p.x, q.x, d.x) ? q.x : p.x, y: better(p.y, q.y, d.y) ? q.y : p.y }, p];
  });
}
