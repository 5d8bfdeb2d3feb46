/**
 * @module sampling
 * Picking the next token from a row of logits: greedy, or temperature with nucleus (top-p)
 * truncation, drawn from a seeded generator.
 */
import { Rng } from '@carve/engine';

export interface SamplingOptions {
  /** 0 picks the most likely token (greedy). @default 0 */
  temperature?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches topP. @default 1 */
  topP?: number;
}

/** Index of the largest value (the first one on ties, as argmax does). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** The next token for one row of logits. */
export function sampleToken(logits: ArrayLike<number>, rng: Rng, options: SamplingOptions = {}): number {
  const temperature = options.temperature ?? 0;
  const topP = options.topP ?? 1;
  if (!(temperature >= 0)) throw new Error(`temperature must be >= 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`topP must be in (0, 1], got ${topP}`);
  if (temperature === 0) return argmax(logits);
  const max = logits[argmax(logits)];
  const probs = Array.from(logits, (v, i) => ({ i, p: Math.exp((v - max) / temperature) }));
  const total = probs.reduce((a, b) => a + b.p, 0);
  probs.sort((a, b) => b.p - a.p);
  let kept = probs.length;
  if (topP < 1) {
    let mass = 0;
    for (let k = 0; k < probs.length; k++) {
      mass += probs[k].p / total;
      if (mass >= topP) {
        kept = k + 1;
        break;
      }
    }
  }
  const keptMass = probs.slice(0, kept).reduce((a, b) => a + b.p, 0);
  let u = rng.next() * keptMass;
  for (let k = 0; k < kept; k++) {
    u -= probs[k].p;
    if (u < 0) return probs[k].i;
  }
  return probs[kept - 1].i;
}
