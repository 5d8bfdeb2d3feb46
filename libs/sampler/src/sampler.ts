/**
 * @module sampler
 * The sampler contract: given a search space and a seeded generator, produce sub-networks.
 * A training strategy asks for some every step; `carve sample` prints them; a histogram of
 * their parameter counts compares schemes (the paper's Figure 3).
 */
import { Rng, UserError } from '@carve/engine';
import { countParams, SubNetwork } from '@carve/model';
import { SearchSpace } from '@carve/search-space';

export interface Sampler {
  readonly name: string;
  /**
   * Up to `n` sub-networks. Random samplers draw `n` new ones each call; grid samplers
   * return their fixed points (at most `n`, in ascending parameter count).
   */
  sample(n: number): Promise<SubNetwork[]>;
}

/** What a sampler is built from. */
export interface SamplerContext {
  space: SearchSpace;
  rng: Rng;
  /**
   * Scores a candidate for the calibrated grid, lower is better (for example its perplexity
   * on calibration data). Without it, candidates are ranked by weight magnitude.
   */
  score?: (s: SubNetwork) => Promise<number>;
  /** Σ|w| over the candidate's weights, higher is better; required by the weight-magnitude ranking. */
  weightMagnitude?: (s: SubNetwork) => number;
}

export class SamplerError extends UserError {
  override readonly name = 'SamplerError';
  constructor(message: string, issues?: readonly string[]) {
    super(message, 'sampler_failed', issues);
  }
}

/** Parameters of a sub-network of the space's model. */
export function paramsOf(space: SearchSpace, s: SubNetwork): number {
  return countParams(space.config, s);
}

/** Checks `n` and returns it. */
export function requireCount(n: number, sampler: string): number {
  if (!Number.isInteger(n) || n < 1) throw new SamplerError(`sampler '${sampler}': the number of sub-networks must be a positive integer, got ${n}`);
  return n;
}
