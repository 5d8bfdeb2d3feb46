/**
 * @module histogram
 * Parameter-count histograms of sampled sub-networks, as data and as an SVG picture, to
 * compare sampling schemes as the paper's Figure 3 does.
 */
import { SubNetwork } from '@carve/model';
import { SearchSpace } from '@carve/search-space';
import { paramsOf } from './sampler';

export interface ParameterHistogram {
  /** bins + 1 edges over [smallest, largest] of the space. */
  edges: number[];
  counts: number[];
  total: number;
}

/** Counts `subnets` in equal-width bins of the space's parameter range. */
export function parameterHistogram(space: SearchSpace, subnets: readonly SubNetwork[], bins = 21): ParameterHistogram {
  const lo = paramsOf(space, space.smallest());
  const hi = paramsOf(space, space.largest());
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const s of subnets) counts[Math.min(bins - 1, Math.floor(((paramsOf(space, s) - lo) / Math.max(1, hi - lo)) * bins))]++;
  return { edges, counts, total: subnets.length };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A self-contained SVG bar chart of the histogram (one <rect class="bar"> per bin). */
export function histogramSvg(h: ParameterHistogram, title: string, width = 480, height = 240): string {
  const pad = 36;
  const max = Math.max(1, ...h.counts);
  const w = (width - 2 * pad) / h.counts.length;
  const bars = h.counts
    .map((c, i) => {
      const bh = ((height - 2 * pad) * c) / max;
      return `<rect class="bar" x="${(pad + i * w).toFixed(1)}" y="${(height - pad - bh).toFixed(1)}" width="${(w - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="#4a7"><title>${Math.round(h.edges[i])}–${Math.round(h.edges[i + 1])}: ${c}</title></rect>`;
    })
    .join('');
  const k = (v: number) => `${(v / 1000).toFixed(0)}k`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">` +
    `<text x="${width / 2}" y="16" text-anchor="middle">${escape(title)}</text>${bars}` +
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#333"/>` +
    `<text x="${pad}" y="${height - pad + 14}">${k(h.edges[0])}</text>` +
    `<text x="${width - pad}" y="${height - pad + 14}" text-anchor="end">${k(h.edges[h.edges.length - 1])} parameters</text>` +
    `<text x="${pad - 4}" y="${pad + 4}" text-anchor="end">${max}</text></svg>`
  );
}
