/**
 * @module statistics
 * Per-feature mean and sample variance, over calibration tokens, of what each layer's output
 * projections read: the attention output projection's input (every query head's output,
 * g·q·hs features) and the MLP's down (SwiGLU) or proj (GELU) input (one feature per neuron).
 * One graph computes every layer's sums from the model graph's taps; the sums accumulate here
 * in float64.
 *
 * Each batch's sums are taken about a shift, the batch's first token, and batches combine by
 * Chan's parallel formula. E[x²] − E[x]² from raw float32 sums would cancel catastrophically
 * for a feature whose spread is small beside its mean; shifted, a feature that never changes
 * has sums of exactly zero, so its variance is exactly 0 (which FLAP's bias compensation
 * relies on: such a feature is removed at no cost at all).
 */
import { F, Runtime, Tensor, Value } from '@carve/engine';
import { CalibrationSet } from '@carve/importance';
import { buildCheckpointGraph, Checkpoint, weightFeeds } from '@carve/model';
import { BaselineError } from './baseline';

/** Running mean and sum of squared deviations per feature, in float64. */
export class FeatureMoments {
  count = 0;
  readonly mean: Float64Array;
  /** Σ (x − mean)² over the tokens so far. */
  readonly m2: Float64Array;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  /** Adds a batch of `count` tokens, given per feature as Σ(x − shift) and Σ(x − shift)² about a shift of the batch's own. */
  add(shift: ArrayLike<number>, sum: ArrayLike<number>, sumSq: ArrayLike<number>, count: number): void {
    if (count <= 0) return;
    const total = this.count + count;
    for (let i = 0; i < this.size; i++) {
      const mean = shift[i] + sum[i] / count;
      const m2 = Math.max(0, sumSq[i] - (sum[i] * sum[i]) / count);
      const delta = mean - this.mean[i];
      this.mean[i] += (delta * count) / total;
      this.m2[i] += m2 + (delta * delta * this.count * count) / total;
    }
    this.count = total;
  }

  /** The sample variance per feature (divided by count − 1, as FLAP's reference code and torch.var do); 0 below two tokens. */
  variance(): Float64Array {
    const out = new Float64Array(this.size);
    if (this.count < 2) return out;
    for (let i = 0; i < this.size; i++) out[i] = this.m2[i] / (this.count - 1);
    return out;
  }
}

/** What every layer's output projections read, by layer. */
export interface ProjectionInputStatistics {
  /** Input features of `layers.<l>.attn.o.weight`: index (group·queriesPerGroup + query)·headSize + d. */
  attn: FeatureMoments[];
  /** Input features of the MLP's down (SwiGLU) or proj (GELU) weight: one per neuron. */
  mlp: FeatureMoments[];
  /** Calibration tokens the statistics cover. */
  tokens: number;
}

export interface ProjectionStatisticsOptions {
  /** Sequences per run. @default 8 */
  batchSize?: number;
  /** @default a new CPU runtime, disposed afterwards */
  runtime?: Runtime;
}

/** Σ(x − shift) and Σ(x − shift)² over `rowAxes`, with the first token (index 0 on every row axis) as the shift. */
function shiftedSums(x: Value, rowAxes: number[]): [Value, Value, Value] {
  const zeros = rowAxes.map(() => 0);
  const ones = rowAxes.map(() => 1);
  const shift = F.slice(x, zeros, ones, rowAxes);
  const d = F.sub(x, shift);
  return [shift, F.reduceSum(d, rowAxes), F.reduceSum(F.mul(d, d), rowAxes)];
}

/** Mean and variance of every output projection's input features over the calibration tokens. */
export async function projectionInputStatistics(model: Checkpoint, calibration: CalibrationSet, options: ProjectionStatisticsOptions = {}): Promise<ProjectionInputStatistics> {
  const c = model.config;
  const batchSize = options.batchSize ?? 8;
  const seqLen = calibration.record.seqLen;
  const problems: string[] = [];
  if (!Number.isInteger(batchSize) || batchSize < 1) problems.push(`batch size must be a positive integer, got ${batchSize}`);
  if (seqLen > c.blockSize) problems.push(`calibration sequence length ${seqLen} exceeds the model's context of ${c.blockSize} tokens`);
  if (calibration.sequences.length === 0) problems.push('the calibration set has no sequences');
  if (problems.length) throw new BaselineError(`activation statistics of '${c.name}': ${problems.join('; ')}`);

  const runtime = options.runtime ?? new Runtime();
  try {
    const m = buildCheckpointGraph(model, { taps: true, seq: seqLen });
    const outputs: Record<string, Value> = {};
    for (let l = 0; l < c.nLayer; l++) {
      // [B, g, q, T, hs]: over batch and time, the rest flattens to the o projection's input order.
      [outputs[`attn.${l}.shift`], outputs[`attn.${l}.sum`], outputs[`attn.${l}.sumSq`]] = shiftedSums(m.taps.get(`layers.${l}.attn.heads`)!, [0, 3]);
      [outputs[`mlp.${l}.shift`], outputs[`mlp.${l}.sum`], outputs[`mlp.${l}.sumSq`]] = shiftedSums(m.taps.get(`layers.${l}.mlp.hidden`)!, [0]);
    }
    m.graph.output(outputs);
    const session = await runtime.compile(m.graph);
    const feeds = weightFeeds(m, model.weights);
    const size = (name: string) => m.params.get(name)!.shape[0] as number;
    const down = c.mlp === 'swiglu' ? 'down' : 'proj';
    const stats: ProjectionInputStatistics = {
      attn: Array.from({ length: c.nLayer }, (_, l) => new FeatureMoments(size(`layers.${l}.attn.o.weight`))),
      mlp: Array.from({ length: c.nLayer }, (_, l) => new FeatureMoments(size(`layers.${l}.mlp.${down}.weight`))),
      tokens: 0,
    };
    try {
      for (let b = 0; b < calibration.sequences.length; b += batchSize) {
        const rows = calibration.sequences.slice(b, b + batchSize);
        const out = await session.run({ ...feeds, tokens: Tensor.from('int64', [rows.length, seqLen], rows.flatMap((s) => s.slice(0, seqLen))) });
        const n = rows.length * seqLen;
        const get = (k: string) => out[k].data as Float32Array;
        for (let l = 0; l < c.nLayer; l++) {
          stats.attn[l].add(get(`attn.${l}.shift`), get(`attn.${l}.sum`), get(`attn.${l}.sumSq`), n);
          stats.mlp[l].add(get(`mlp.${l}.shift`), get(`mlp.${l}.sum`), get(`mlp.${l}.sumSq`), n);
        }
        stats.tokens += n;
      }
    } finally {
      await session.dispose();
    }
    return stats;
  } finally {
    if (!options.runtime) await runtime.dispose();
  }
}
