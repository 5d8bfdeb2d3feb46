/**
 * @module latency/predictor
 * Latency predicted from architecture: a linear model over the work a forward pass does
 * (multiply-accumulates per kind of product, attention scores, elementwise work, cache
 * copies, layers for the fixed cost of each operator's dispatch, a constant), fitted to
 * measured latencies by non-negative least squares. Non-negative, because every feature
 * costs time: the fit cannot trade a negative coefficient on one feature against a
 * correlated neighbour, which keeps predictions sane away from the samples.
 */
import { headsOf, ModelConfig, mlpHiddenOf, queryGroupsOf, SubNetwork, subNetworkConfig } from '@carve/model';
import { defaultSeqLen } from './measure';

export type LatencyPhase = 'prefill' | 'decode';

export interface PredictorOptions {
  /** Which phase the latencies are of. @default 'prefill' */
  phase?: LatencyPhase;
  /** Sequences per run, as measured. @default 1 */
  batch?: number;
  /** Prompt length (decode: the cache length), as measured. @default min(128, blockSize − 1) */
  seqLen?: number;
  /** Tokens per timed decode run, as measured. @default 1 */
  decodeTokens?: number;
}

/** What the features are computed for: the run's shape, and the head sizes attention is split by. */
export interface FeatureShape {
  phase: LatencyPhase;
  batch: number;
  seqLen: number;
  decodeTokens: number;
  /** Head sizes, ascending. */
  knots: readonly number[];
}

/** One measured sub-network: its latency in milliseconds. */
export interface LatencySample {
  subNetwork: SubNetwork;
  ms: number;
}

export interface LatencyPredictor {
  readonly phase: LatencyPhase;
  readonly featureNames: readonly string[];
  /** Milliseconds per unit of each feature, in featureNames order; all ≥ 0. */
  readonly coefficients: readonly number[];
  /** The feature vector of a sub-network, in featureNames order. */
  features(s: SubNetwork): number[];
  /** Predicted latency in milliseconds. */
  predict(s: SubNetwork): number;
  /** The fitted formula, one feature per line. */
  describe(): string;
}

export interface PredictorEvaluation {
  /** Mean absolute percentage error, as a fraction (0.05 is 5%). */
  mape: number;
  /** The largest absolute percentage error, as a fraction. */
  maxApe: number;
  n: number;
}

/**
 * The features of `s` for a run of `batch` sequences. Prefill computes T = seqLen rows
 * attending over seqLen keys (all T² scores: the mask hides the upper half, it does not
 * skip it); decode one row per sequence attending over the whole cache (seqLen +
 * decodeTokens rows), which each layer also copies once per key and value to write the
 * new token in. Attention scores are split by head size over `knots`, each knot with a
 * coefficient of its own, the cost in between interpolated linearly (beyond the knots, the
 * nearest one's): a score's cost is far from proportional to the head size (on
 * stories260K it rose from head size 2 to 4, then stayed flat up to 8).
 */
export function latencyFeatures(c: ModelConfig, s: SubNetwork, shape: FeatureShape): number[] {
  const { phase, batch, seqLen, decodeTokens, knots } = shape;
  const sub = subNetworkConfig(c, s);
  const rows = phase === 'prefill' ? batch * seqLen : batch;
  const queries = phase === 'prefill' ? seqLen : 1;
  const keys = phase === 'prefill' ? seqLen : seqLen + decodeTokens;
  const E = sub.nEmbd;
  const hs = sub.headSize;
  const mlpMatrices = sub.mlp === 'swiglu' ? 3 : 2;
  let projection = 0;
  let scores = 0;
  let mlp = 0;
  let activations = 0;
  let cache = 0;
  for (let l = 0; l < sub.nLayer; l++) {
    const heads = headsOf(sub, l);
    const groups = queryGroupsOf(sub, l);
    const M = mlpHiddenOf(sub, l);
    projection += rows * E * (2 * heads * hs + 2 * groups * hs);
    scores += batch * heads * queries * keys;
    mlp += rows * E * M * mlpMatrices;
    // Norms, residual adds, RoPE and the MLP's activation are elementwise over these widths.
    activations += rows * (2 * E + (heads + 2 * groups) * hs + M);
    if (phase === 'decode') cache += 2 * batch * groups * keys * hs;
  }
  return [1, sub.nLayer, projection, ...hats(knots, hs).map((w) => w * scores), mlp, rows * E * sub.vocabSize, activations, cache];
}

/** Weights of `x` on the piecewise-linear basis over `knots` (ascending): at most two are non-zero, and they sum to 1. */
function hats(knots: readonly number[], x: number): number[] {
  const w = knots.map(() => 0);
  const upper = knots.findIndex((k) => k >= x);
  if (upper <= 0) {
    // At or below the first knot, or beyond the last: that knot's cost holds.
    w[upper === 0 ? 0 : knots.length - 1] = 1;
    return w;
  }
  const t = (x - knots[upper - 1]) / (knots[upper] - knots[upper - 1]);
  w[upper - 1] = 1 - t;
  w[upper] = t;
  return w;
}

/** Names of the features, in latencyFeatures' order. */
export function featureNames(knots: readonly number[]): string[] {
  return ['constant', 'layers', 'attention projection MACs', ...knots.map((k) => `attention scores at head size ${k}`), 'MLP MACs', 'head MACs', 'activation elements', 'cache elements'];
}

/**
 * Non-negative least squares, min ‖Ax − b‖ subject to x ≥ 0, by Lawson and Hanson's
 * active-set method on the normal equations (G = AᵀA, c = Aᵀb). Deterministic; exact up
 * to rounding after finitely many steps.
 */
export function nnls(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = A[0]?.length ?? 0;
  const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => A.reduce((sum, row) => sum + row[i] * row[j], 0)));
  const c = Array.from({ length: n }, (_, i) => A.reduce((sum, row, k) => sum + row[i] * b[k], 0));
  const tol = 1e-12 * Math.max(1, ...c.map(Math.abs));
  const x = new Array<number>(n).fill(0);
  const passive = new Set<number>();
  const gradient = () => c.map((ci, i) => ci - G[i].reduce((sum, g, j) => sum + g * x[j], 0));
  for (let iteration = 0; iteration < 3 * n + 10; iteration++) {
    const w = gradient();
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive.has(j) && w[j] > tol && (best < 0 || w[j] > w[best])) best = j;
    if (best < 0) break;
    passive.add(best);
    while (passive.size) {
      const z = solvePassive(G, c, passive);
      if ([...passive].every((i) => z[i] > 0)) {
        z.forEach((v, i) => (x[i] = v));
        break;
      }
      // Step from x towards z until the first passive variable reaches zero, then drop it.
      let alpha = Infinity;
      for (const i of passive) if (z[i] <= 0) alpha = Math.min(alpha, x[i] / (x[i] - z[i]));
      for (let i = 0; i < n; i++) x[i] += alpha * (z[i] - x[i]);
      for (const i of [...passive]) {
        if (x[i] <= tol) {
          x[i] = 0;
          passive.delete(i);
        }
      }
    }
  }
  return x;
}

/** Solves G[P,P]·z = c[P] by Gaussian elimination with partial pivoting; z is 0 outside P. */
function solvePassive(G: readonly (readonly number[])[], c: readonly number[], passive: ReadonlySet<number>): number[] {
  const idx = [...passive].sort((a, b) => a - b);
  const m = idx.length;
  const M = idx.map((i) => [...idx.map((j) => G[i][j]), c[i]]);
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    // A zero pivot means a feature duplicated by others in these samples: its share goes to them.
    if (Math.abs(M[col][col]) < 1e-14) continue;
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = M[r][col] / M[col][col];
      for (let k = col; k <= m; k++) M[r][k] -= f * M[col][k];
    }
  }
  const z = new Array<number>(G.length).fill(0);
  idx.forEach((i, r) => (z[i] = Math.abs(M[r][r]) < 1e-14 ? 0 : M[r][m] / M[r][r]));
  return z;
}

/**
 * Fits a latency predictor to measured samples. Each sample's row is divided by its
 * latency, so the fit minimizes squared relative errors (the criterion MAPE judges), and
 * each feature column is scaled to unit norm first, so features of very different
 * magnitudes (layers, MACs) weigh alike in the solver.
 */
export function fitLatencyPredictor(samples: readonly LatencySample[], config: ModelConfig, options: PredictorOptions = {}): LatencyPredictor {
  const phase = options.phase ?? 'prefill';
  const batch = options.batch ?? 1;
  const seqLen = options.seqLen ?? defaultSeqLen(config.blockSize);
  if (samples.length === 0) throw new Error(`fitLatencyPredictor: no samples of '${config.name}' to fit`);
  const bad = samples.filter((s) => !(s.ms > 0 && Number.isFinite(s.ms)));
  if (bad.length) throw new Error(`fitLatencyPredictor: latencies must be positive and finite, got ${bad.map((s) => s.ms).join(', ')}`);
  const knots = [...new Set(samples.map((s) => s.subNetwork.headSize))].sort((a, b) => a - b);
  const shape: FeatureShape = { phase, batch, seqLen, decodeTokens: options.decodeTokens ?? 1, knots };
  const names = featureNames(knots);
  const features = (s: SubNetwork) => latencyFeatures(config, s, shape);
  const rows = samples.map((sample) => features(sample.subNetwork).map((f) => f / sample.ms));
  const norms = names.map((_, j) => Math.sqrt(rows.reduce((sum, r) => sum + r[j] * r[j], 0)) || 1);
  const scaled = nnls(
    rows.map((r) => r.map((v, j) => v / norms[j])),
    samples.map(() => 1),
  );
  const coefficients = scaled.map((v, j) => v / norms[j]);
  const predict = (s: SubNetwork) => features(s).reduce((sum, f, j) => sum + f * coefficients[j], 0);
  return {
    phase,
    featureNames: names,
    coefficients,
    features,
    predict,
    describe: () =>
      [`${phase} latency (batch ${batch}, seqLen ${seqLen}) in ms =`, ...names.map((name, j) => `  ${coefficients[j].toExponential(3)} × ${name}`)].join('\n'),
  };
}

/** The predictor's absolute percentage errors on held-out samples: their mean and maximum. */
export function evaluatePredictor(predictor: LatencyPredictor, heldOut: readonly LatencySample[]): PredictorEvaluation {
  if (heldOut.length === 0) throw new Error('evaluatePredictor: no held-out samples');
  const errors = heldOut.map((s) => Math.abs(predictor.predict(s.subNetwork) - s.ms) / s.ms);
  return { mape: errors.reduce((a, b) => a + b, 0) / errors.length, maxApe: Math.max(...errors), n: errors.length };
}
