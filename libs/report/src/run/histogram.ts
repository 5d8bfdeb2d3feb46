/**
 * @module run/histogram
 * The parameter histogram of the sampler's grid: how evenly training covered network sizes.
 */
import { formatInteger } from '../format';
import { escapeHtml, note } from '../html';
import { PALETTE } from '../palette';
import { barChart } from '../svg/bars';
import { RunReportData } from './data';

/** The histogram as a bar chart (`#histogram`), or a note when there is none. */
export function histogramPlot(histogram: RunReportData['histogram']): string {
  const bins = histogram?.bins ?? [];
  if (!bins.length) return note('no sampler histogram recorded');
  const finite = bins.filter((b) => [b.lo, b.hi, b.count].every(Number.isFinite));
  const skipped = bins.length - finite.length;
  const total = finite.reduce((sum, b) => sum + b.count, 0);
  const svg = barChart({
    id: 'histogram',
    label: 'parameter histogram of the sampler grid',
    xTitle: 'parameters',
    yTitle: 'sub-networks',
    colour: PALETTE[2],
    bars: finite,
    describe: (b) => `${formatInteger(b.lo)}–${formatInteger(b.hi)} parameters: ${b.count}`,
    width: 720,
    height: 300,
  });
  const caption = `${total} sub-networks in ${finite.length} equal-width parameter bins.` + (skipped ? ` ${skipped} bin${skipped === 1 ? '' : 's'} with non-finite values not drawn.` : '');
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}
