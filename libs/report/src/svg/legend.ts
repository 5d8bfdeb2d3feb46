/**
 * @module svg/legend
 * A legend laid out in rows above a plot, wrapping before it runs out of width.
 */
import { escapeHtml } from '../html';

/** One legend entry: a marker (point, line or bar) in `colour` and its label. */
export interface LegendItem {
  label: string;
  colour: string;
  mark: 'point' | 'line' | 'bar';
}

const ROW = 18;
// A generous width per character of 12px text, so that estimated entries never overlap.
const CHAR = 7;

/** The legend's rows as SVG at (x, y), and its height. */
export function legend(items: readonly LegendItem[], x: number, y: number, width: number): { svg: string; height: number } {
  let [cx, row] = [0, 0];
  const parts = items.map((item) => {
    const w = 22 + item.label.length * CHAR + 14;
    if (cx > 0 && cx + w > width) [cx, row] = [0, row + 1];
    const [ix, iy] = [x + cx, y + row * ROW];
    cx += w;
    const mark =
      item.mark === 'point'
        ? `<circle cx="${ix + 7}" cy="${iy}" r="4.5" fill="${item.colour}"/>`
        : item.mark === 'line'
          ? `<line x1="${ix}" y1="${iy}" x2="${ix + 16}" y2="${iy}" stroke="${item.colour}" stroke-width="2.5"/>`
          : `<rect x="${ix + 1}" y="${iy - 6}" width="12" height="12" fill="${item.colour}"/>`;
    return `<g class="legend-item">${mark}<text x="${ix + 22}" y="${iy + 4}">${escapeHtml(item.label)}</text></g>`;
  });
  return { svg: `<g class="legend" font-size="12">${parts.join('')}</g>`, height: items.length ? (row + 1) * ROW : 0 };
}
