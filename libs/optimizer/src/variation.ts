/**
 * @module variation
 * The real-coded variation operators of NSGA-II (Deb et al. 2002), on encodings in [0, 1]^d:
 * simulated binary crossover (Deb & Agrawal 1995) and polynomial mutation, both in the
 * bounded form of Deb's reference implementation, so no child leaves the unit box.
 */
import { Rng } from '@carve/engine';

export interface SbxOptions {
  /** Distribution index: larger keeps children closer to their parents. @default 15 */
  readonly eta?: number;
  /** Chance that a variable is recombined at all. @default 0.5 */
  readonly probability?: number;
}

export interface MutationOptions {
  /** Distribution index: larger makes smaller steps. @default 20 */
  readonly eta?: number;
  /** Chance that each variable is mutated. @default 1/d, one variable on average */
  readonly rate?: number;
}

/** Variables closer than this are treated as equal: their spread gives SBX nothing to scale. */
const SAME = 1e-14;

const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * The spread factor of one SBX child, for the side whose distance to its bound makes
 * `beta`: the bounded form shrinks the distribution so the child stays inside the box.
 */
function spread(beta: number, u: number, eta: number): number {
  const alpha = 2 - Math.pow(beta, -(eta + 1));
  return u <= 1 / alpha ? Math.pow(u * alpha, 1 / (eta + 1)) : Math.pow(1 / (2 - u * alpha), 1 / (eta + 1));
}

/** Simulated binary crossover of two encodings of equal length: two children in [0, 1]^d. */
export function sbx(a: readonly number[], b: readonly number[], rng: Rng, options: SbxOptions = {}): [number[], number[]] {
  if (a.length !== b.length) throw new Error(`sbx: parents of lengths ${a.length} and ${b.length}`);
  const { eta = 15, probability = 0.5 } = options;
  const c1 = a.map(clamp);
  const c2 = b.map(clamp);
  for (let i = 0; i < a.length; i++) {
    if (rng.next() >= probability || Math.abs(c1[i] - c2[i]) <= SAME) continue;
    const y1 = Math.min(c1[i], c2[i]);
    const y2 = Math.max(c1[i], c2[i]);
    const u = rng.next();
    const low = 0.5 * (y1 + y2 - spread(1 + (2 * y1) / (y2 - y1), u, eta) * (y2 - y1));
    const high = 0.5 * (y1 + y2 + spread(1 + (2 * (1 - y2)) / (y2 - y1), u, eta) * (y2 - y1));
    // Which child gets which value is a coin flip, so children do not sort their parents.
    const swap = rng.next() < 0.5;
    c1[i] = clamp(swap ? high : low);
    c2[i] = clamp(swap ? low : high);
  }
  return [c1, c2];
}

/** Polynomial mutation of an encoding: a copy with each variable moved with chance `rate`. */
export function polynomialMutation(x: readonly number[], rng: Rng, options: MutationOptions = {}): number[] {
  const { eta = 20, rate = 1 / Math.max(1, x.length) } = options;
  const power = 1 / (eta + 1);
  return x.map((value) => {
    const y = clamp(value);
    if (rng.next() >= rate) return y;
    const u = rng.next();
    let delta: number;
    if (u < 0.5) {
      const val = 2 * u + (1 - 2 * u) * Math.pow(1 - y, eta + 1);
      delta = Math.pow(val, power) - 1;
    } else {
      const val = 2 * (1 - u) + 2 * (u - 0.5) * Math.pow(y, eta + 1);
      delta = 1 - Math.pow(val, power);
    }
    return clamp(y + delta);
  });
}
