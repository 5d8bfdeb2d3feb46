/**
 * @module samplers
 * The built-in samplers: random, grid, parameter-bin grid, calibrated grid and sandwich.
 */
import { SubNetwork } from '@carve/model';
import { SearchSpace } from '@carve/search-space';
import { paramsOf, requireCount, Sampler, SamplerContext, SamplerError } from './sampler';

/** Uniform draws from the space (which over-samples small networks: most points are small). */
export function randomSampler(ctx: SamplerContext): Sampler {
  return {
    name: 'random',
    sample: async (n) => Array.from({ length: requireCount(n, 'random') }, () => ctx.space.sample(ctx.rng)),
  };
}

/**
 * n points on the diagonal from the smallest to the largest sub-network: point i takes, in
 * every dimension, the value at fraction i/(n−1) of its value list (linear interpolation of
 * the encoding).
 */
export function gridSampler(ctx: SamplerContext): Sampler {
  return {
    name: 'grid',
    sample: async (n) => {
      requireCount(n, 'grid');
      const length = ctx.space.encode(ctx.space.smallest()).length;
      const points = Array.from({ length: n }, (_, i) => ctx.space.decode(new Array<number>(length).fill(n === 1 ? 1 : i / (n - 1))));
      return unique(ctx.space, points);
    },
  };
}

export interface BinOptions {
  /** Equal-width bins over the parameter range. @default 21 */
  bins?: number;
  /** Candidates drawn per bin (calibrated) — 1 for the plain parameter grid. */
  perBin?: number;
  /** Random draws allowed in all before giving up on empty bins. @default 200 per bin and candidate */
  maxDraws?: number;
}

/** Bins of the parameter range [smallest, largest] and random candidates for each, drawn with a bound. */
async function fillBins(space: SearchSpace, ctx: SamplerContext, name: string, options: BinOptions): Promise<{ bins: SubNetwork[][]; edges: number[] }> {
  const bins = options.bins ?? 21;
  const perBin = options.perBin ?? 1;
  if (!Number.isInteger(bins) || bins < 2) throw new SamplerError(`sampler '${name}': bins must be an integer >= 2, got ${bins}`);
  if (!Number.isInteger(perBin) || perBin < 1) throw new SamplerError(`sampler '${name}': perBin must be a positive integer, got ${perBin}`);
  const lo = paramsOf(space, space.smallest());
  const hi = paramsOf(space, space.largest());
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const filled: SubNetwork[][] = Array.from({ length: bins }, () => []);
  const seen = new Set<string>();
  const maxDraws = options.maxDraws ?? 200 * bins * perBin;
  let draws = 0;
  while (filled.some((b) => b.length < perBin) && draws < maxDraws) {
    const s = space.sample(ctx.rng);
    draws++;
    const key = JSON.stringify(s);
    if (seen.has(key)) continue;
    seen.add(key);
    const p = paramsOf(space, s);
    const bin = Math.min(bins - 1, Math.floor(((p - lo) / Math.max(1, hi - lo)) * bins));
    if (filled[bin].length < perBin) filled[bin].push(s);
  }
  const empty = filled.flatMap((b, i) => (b.length === 0 ? [i] : []));
  if (empty.length) {
    const ranges = empty.map((i) => `${Math.round(edges[i])}–${Math.round(edges[i + 1])}`);
    throw new SamplerError(
      `sampler '${name}': after ${draws} random draws, ${empty.length} of ${bins} parameter bins stayed empty (${ranges.join(', ')} parameters): ` +
        'the space has few or no sub-networks of those sizes; use fewer bins, a larger maxDraws, or a space with finer value lists',
      ranges.map((r) => `no sub-network with ${r} parameters`),
    );
  }
  return { bins: filled, edges };
}

/** Smallest and largest first and last, the bins' picks between, without repeats, by parameters. */
function withEnds(space: SearchSpace, picks: SubNetwork[]): SubNetwork[] {
  return unique(space, [space.smallest(), ...picks, space.largest()]);
}

function unique(space: SearchSpace, points: SubNetwork[]): SubNetwork[] {
  const seen = new Set<string>();
  return points
    .filter((s) => {
      const key = JSON.stringify(s);
      return !seen.has(key) && seen.add(key);
    })
    .sort((a, b) => paramsOf(space, a) - paramsOf(space, b));
}

/** One random sub-network per equal-width parameter bin, plus the smallest and the largest. */
export function paramGridSampler(ctx: SamplerContext, options: BinOptions = {}): Sampler {
  let grid: SubNetwork[] | undefined;
  return {
    name: 'param-grid',
    sample: async (n) => {
      requireCount(n, 'param-grid');
      grid ??= withEnds(ctx.space, (await fillBins(ctx.space, ctx, 'param-grid', { ...options, perBin: 1 })).bins.map((b) => b[0]));
      return grid.slice(0, n);
    },
  };
}

/**
 * The calibrated grid: k candidates per parameter bin, the best of each bin kept — by the
 * context's score (lower is better, e.g. perplexity on calibration data) or, without one,
 * by weight magnitude (higher is better) — plus the smallest and the largest.
 */
export function calibratedSampler(ctx: SamplerContext, options: BinOptions & { rank?: 'score' | 'magnitude' } = {}): Sampler {
  let grid: SubNetwork[] | undefined;
  return {
    name: 'calibrated',
    sample: async (n) => {
      requireCount(n, 'calibrated');
      if (!grid) {
        const rank = options.rank ?? (ctx.score ? 'score' : 'magnitude');
        if (rank === 'score' && !ctx.score) throw new SamplerError("sampler 'calibrated': ranking by score needs a scoring function (calibration data)");
        if (rank === 'magnitude' && !ctx.weightMagnitude) throw new SamplerError("sampler 'calibrated': ranking by weight magnitude needs the model's weights");
        const { bins } = await fillBins(ctx.space, ctx, 'calibrated', { ...options, perBin: options.perBin ?? 5 });
        const best: SubNetwork[] = [];
        for (const candidates of bins) {
          const scored = await Promise.all(candidates.map(async (s) => ({ s, v: rank === 'score' ? await ctx.score!(s) : -ctx.weightMagnitude!(s) })));
          best.push(scored.reduce((a, b) => (b.v < a.v ? b : a)).s);
        }
        grid = withEnds(ctx.space, best);
      }
      return grid.slice(0, n);
    },
  };
}

/**
 * The sandwich rule: each call gives the largest and the smallest sub-network and n − 2
 * drawn by `inner` (random by default), as in the paper's training steps.
 */
export function sandwichSampler(ctx: SamplerContext, inner: Sampler = randomSampler(ctx)): Sampler {
  return {
    name: 'sandwich',
    sample: async (n) => {
      if (requireCount(n, 'sandwich') < 2) throw new SamplerError(`sampler 'sandwich': needs at least 2 sub-networks per call (largest and smallest), got ${n}`);
      const middle = n > 2 ? await inner.sample(n - 2) : [];
      return [ctx.space.largest(), ctx.space.smallest(), ...middle];
    },
  };
}

/** n random picks (with repeats across calls) from the full point set of a grid sampler. */
export function drawFrom(grid: Sampler, ctx: SamplerContext, gridSize = 1 << 16): Sampler {
  let points: SubNetwork[] | undefined;
  return {
    name: `${grid.name}-draws`,
    sample: async (n) => {
      requireCount(n, grid.name);
      points ??= await grid.sample(gridSize);
      return Array.from({ length: n }, () => points![ctx.rng.int(points!.length)]);
    },
  };
}
