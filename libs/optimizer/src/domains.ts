/**
 * @module domains
 * The domains a search runs over: a model's sub-networks (through its search space) and
 * the unit box [0, 1]^d of the standard test problems.
 */
import { Rng } from '@carve/engine';
import { SubNetwork } from '@carve/model';
import { SearchSpace } from '@carve/search-space';
import { Domain } from './strategy';

/** Members in order, without a second copy of any key. */
function distinct<T>(members: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return members.filter((m) => {
    const k = key(m);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * A sub-network as JSON with its fields in one fixed order, so that equal sub-networks have
 * equal keys however they were built (and after a saved state is parsed back).
 */
function subNetworkKey(s: SubNetwork): string {
  return JSON.stringify({
    embedDim: s.embedDim,
    headSize: s.headSize,
    layers: s.layers.map((l) => ({ index: l.index, heads: l.heads, mlpHidden: l.mlpHidden })),
  });
}

/**
 * The members of a search space. Its anchors are the largest, the smallest and the middle
 * member (the encoding of all 0.5s), which bracket the trade-off a search has to map.
 */
export function subNetworkDomain(space: SearchSpace): Domain<SubNetwork> {
  const dimensions = space.encode(space.largest()).length;
  return {
    name: space.name,
    dimensions,
    encode: (x) => space.encode(x),
    decode: (v) => space.decode(v),
    key: subNetworkKey,
    sample: (rng) => space.sample(rng),
    neighbours: (x) => space.neighbours(x),
    anchors: () => distinct([space.largest(), space.smallest(), space.decode(new Array<number>(dimensions).fill(0.5))], subNetworkKey),
    size: () => space.size(),
  };
}

export interface ContinuousDomainOptions {
  /** Standard deviation of a neighbour's Gaussian step in each coordinate it moves. @default 0.05 */
  readonly step?: number;
}

/** Neighbours per call: enough to choose from, few enough that a local search moves on. */
const NEIGHBOURS = 4;
/** A neighbour moves 1 to this many coordinates, so it stays near its origin in any dimension. */
const MOVED = 3;

const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * The unit box [0, 1]^dimensions, encoded as itself. Neighbours move one to a few random
 * coordinates by a Gaussian step (clamped to the box); the anchors are the corners of all
 * ones and all zeros and the centre.
 */
export function continuousDomain(dimensions: number, options: ContinuousDomainOptions = {}): Domain<number[]> {
  const { step = 0.05 } = options;
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new Error(`continuousDomain: dimensions must be a positive integer (got ${dimensions})`);
  if (!(step > 0) || !Number.isFinite(step)) throw new Error(`continuousDomain: step must be a positive number (got ${step})`);
  const key = (x: number[]) => JSON.stringify(x);
  const neighbour = (x: number[], rng: Rng) => {
    const y = [...x];
    const moved = 1 + rng.int(Math.min(MOVED, dimensions));
    for (let m = 0; m < moved; m++) {
      const i = rng.int(dimensions);
      y[i] = clamp(y[i] + rng.normal(0, step));
    }
    return y;
  };
  return {
    name: `continuous(${dimensions})`,
    dimensions,
    encode: (x) => x.map(clamp),
    decode: (v) => v.map(clamp),
    key,
    sample: (rng) => Array.from({ length: dimensions }, () => rng.next()),
    // A step clamped at a bound can land on x itself, which is no neighbour.
    neighbours: (x, rng) => distinct(Array.from({ length: NEIGHBOURS }, () => neighbour(x, rng)), key).filter((y) => key(y) !== key(x)),
    anchors: () => [1, 0, 0.5].map((v) => new Array<number>(dimensions).fill(v)),
  };
}
