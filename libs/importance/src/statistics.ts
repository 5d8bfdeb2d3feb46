/**
 * @module statistics
 * Statistics of activations over tokens, accumulated from per-batch sums so the result does
 * not depend on how the tokens were batched or ordered (beyond float rounding).
 */

export type Statistic = 'mean-abs' | 'l2' | 'variance';

export const STATISTICS: readonly Statistic[] = ['mean-abs', 'l2', 'variance'];

/** Running sums of a, |a| and a² per feature, in float64. */
export class Moments {
  readonly sum: Float64Array;
  readonly sumAbs: Float64Array;
  readonly sumSq: Float64Array;
  count = 0;

  constructor(readonly size: number) {
    this.sum = new Float64Array(size);
    this.sumAbs = new Float64Array(size);
    this.sumSq = new Float64Array(size);
  }

  /** Adds one batch's sums over its `count` tokens. */
  add(sum: ArrayLike<number>, sumAbs: ArrayLike<number>, sumSq: ArrayLike<number>, count: number): void {
    for (let i = 0; i < this.size; i++) {
      this.sum[i] += sum[i];
      this.sumAbs[i] += sumAbs[i];
      this.sumSq[i] += sumSq[i];
    }
    this.count += count;
  }

  /** The statistic per feature: mean |a|, √Σa², or E[a²] − E[a]². */
  finalize(statistic: Statistic): Float64Array {
    const out = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      if (statistic === 'mean-abs') out[i] = this.sumAbs[i] / this.count;
      else if (statistic === 'l2') out[i] = Math.sqrt(this.sumSq[i]);
      else {
        const mean = this.sum[i] / this.count;
        out[i] = Math.max(0, this.sumSq[i] / this.count - mean * mean);
      }
    }
    return out;
  }
}

/** Indices sorted by score, highest first; ties keep the lower index first. */
export function descendingOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}
