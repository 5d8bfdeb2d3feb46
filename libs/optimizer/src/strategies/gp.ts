/**
 * @module gp
 * A small Gaussian-process regression for surrogate-based search: a zero-mean GP with a
 * Matérn-5/2 kernel (per-dimension or shared length-scales), exact inference by Cholesky
 * factorisation, and hyperparameters chosen by maximising the log marginal likelihood with a
 * fixed grid and a coordinate search, so that a fit is deterministic (no random restarts).
 * Meant for the tens to a few hundred points a model-based strategy trains on: every fit and
 * likelihood evaluation is O(n³).
 */

/** The kernel's hyperparameters: k(x, x') = signalVariance · m52(r) + noise · [x = x']. */
export interface GpHyperparameters {
  /** One length-scale per input dimension; r² = Σ_i ((x_i − x'_i) / lengthScales_i)². */
  lengthScales: number[];
  /** Prior variance of the latent function. */
  signalVariance: number;
  /** Variance of the observation noise. */
  noise: number;
}

/** A GP conditioned on training data. */
export interface GaussianProcess {
  readonly hyperparameters: GpHyperparameters;
  /** log p(y | X, hyperparameters). */
  readonly logMarginalLikelihood: number;
  /** Posterior mean and variance of the latent (noise-free) function at x. */
  predict(x: readonly number[]): { mean: number; variance: number };
}

/** How `fitGaussianProcess` parameterises the length-scales. */
export interface GpFitOptions {
  /** 'per-dimension' (automatic relevance determination) or one 'shared' length-scale. */
  lengthScale?: 'per-dimension' | 'shared';
}

// Module-level bindings, not Math.f in the loops: under Jest, modules run in a vm context
// where every lookup of a global such as Math is intercepted, which slowed fits eightfold.
const { exp, log, max, sqrt } = Math;
const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);

/** The Matérn-5/2 correlation at scaled distance r: (1 + √5 r + 5r²/3) e^{−√5 r}. */
export function matern52(r: number): number {
  const s = SQRT5 * r;
  return (1 + s + (s * s) / 3) * exp(-s);
}

/** Lower Cholesky factor of the n×n row-major matrix a, or null when a is not positive definite. */
function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[ri + i] = sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j];
      }
    }
  }
  return l;
}

/** Solves L z = b (L lower triangular) into z. */
function forward(l: Float64Array, n: number, b: Float64Array, z: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * z[k];
    z[i] = s / l[ri + i];
  }
  return z;
}

/** Solves Lᵀ x = z. */
function backward(l: Float64Array, n: number, z: Float64Array): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

function checkData(x: readonly (readonly number[])[], y: readonly number[]): number {
  if (x.length === 0) throw new Error('a Gaussian process needs at least one training point');
  if (x.length !== y.length) throw new Error(`${x.length} training inputs but ${y.length} targets`);
  const d = x[0].length;
  for (const row of x) if (row.length !== d) throw new Error(`training inputs of ${d} and ${row.length} dimensions`);
  return d;
}

/** Per-dimension squared differences of the training inputs, reused by every likelihood evaluation. */
function squaredDifferences(x: readonly (readonly number[])[], d: number): Float64Array[] {
  const n = x.length;
  return Array.from({ length: d }, (_, k) => {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const diff = x[i][k] - x[j][k];
        m[i * n + j] = m[j * n + i] = diff * diff;
      }
    }
    return m;
  });
}

/** The correlation matrix (unit signal variance) plus `ratio` on the diagonal. */
function correlation(diff2: Float64Array[], n: number, lengthScales: readonly number[], ratio: number): Float64Array {
  const c = new Float64Array(n * n);
  const inv2 = lengthScales.map((l) => 1 / (l * l));
  for (let i = 0; i < n; i++) {
    c[i * n + i] = 1 + ratio;
    for (let j = 0; j < i; j++) {
      let r2 = 0;
      for (let k = 0; k < diff2.length; k++) r2 += diff2[k][i * n + j] * inv2[k];
      c[i * n + j] = c[j * n + i] = matern52(sqrt(r2));
    }
  }
  return c;
}

function logDeterminant(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += 2 * log(l[i * n + i]);
  return s;
}

/**
 * Conditions a zero-mean GP with the given hyperparameters on (x, y). Standardise y first:
 * the prior mean is 0. Throws when the covariance is not positive definite (duplicate inputs
 * with zero noise).
 */
export function gaussianProcess(x: readonly (readonly number[])[], y: readonly number[], hyperparameters: GpHyperparameters): GaussianProcess {
  const d = checkData(x, y);
  const { lengthScales, signalVariance, noise } = hyperparameters;
  if (lengthScales.length !== d) throw new Error(`${lengthScales.length} length-scales for ${d}-dimensional inputs`);
  const n = x.length;
  const k = correlation(squaredDifferences(x, d), n, lengthScales, noise / signalVariance);
  for (let i = 0; i < k.length; i++) k[i] *= signalVariance;
  const l = cholesky(k, n);
  if (!l) throw new Error('the GP covariance is not positive definite: add noise or remove duplicate inputs');
  const targets = Float64Array.from(y);
  const alpha = backward(l, n, forward(l, n, targets, new Float64Array(n)));
  let fit = 0;
  for (let i = 0; i < n; i++) fit += targets[i] * alpha[i];
  const inv2 = lengthScales.map((s) => 1 / (s * s));
  // Scratch for predict, which runs thousands of times per ask.
  const kStar = new Float64Array(n);
  const v = new Float64Array(n);
  return {
    hyperparameters: { lengthScales: [...lengthScales], signalVariance, noise },
    logMarginalLikelihood: -0.5 * fit - 0.5 * logDeterminant(l, n) - 0.5 * n * LOG_2PI,
    predict(point) {
      if (point.length !== d) throw new Error(`a ${point.length}-dimensional query for a ${d}-dimensional GP`);
      let mean = 0;
      for (let i = 0; i < n; i++) {
        let r2 = 0;
        for (let j = 0; j < d; j++) {
          const diff = point[j] - x[i][j];
          r2 += diff * diff * inv2[j];
        }
        kStar[i] = signalVariance * matern52(sqrt(r2));
        mean += kStar[i] * alpha[i];
      }
      forward(l, n, kStar, v);
      let explained = 0;
      for (let i = 0; i < n; i++) explained += v[i] * v[i];
      // Rounding can take the difference just below 0 at a training point.
      return { mean, variance: max(0, signalVariance - explained) };
    },
  };
}

/** log p(y | x, hyperparameters) of a zero-mean GP; -Infinity when the covariance is singular. */
export function logMarginalLikelihood(x: readonly (readonly number[])[], y: readonly number[], hyperparameters: GpHyperparameters): number {
  try {
    return gaussianProcess(x, y, hyperparameters).logMarginalLikelihood;
  } catch {
    return -Infinity;
  }
}

/**
 * Noise as a fraction of the signal variance: from near-interpolation to a noticeably noisy
 * fit, since a scalarised or penalised target is rarely smooth everywhere.
 */
const NOISE_RATIOS = [1e-6, 1e-4, 1e-2, 1e-1];
/** Shared length-scales tried first, in units of √d (the typical distance between points in [0, 1]^d grows so). */
const LENGTH_SCALE_GRID = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2];
/** Steps of the per-dimension coordinate search, and its bounds. */
const LENGTH_SCALE_STEPS = [0.25, 0.5, 2, 4];
const LENGTH_SCALE_BOUNDS = [1e-2, 1e2];
const SWEEPS = 2;
/** Keeps the profiled variance positive when the targets are all 0. */
const MIN_SIGNAL_VARIANCE = 1e-12;

/**
 * A GP on (x, y) with the hyperparameters that maximise the log marginal likelihood: the
 * signal variance is profiled out in closed form (for fixed length-scales and noise ratio
 * g, K = σ²(C + gI) and the best σ² is yᵀ(C + gI)⁻¹y / n), the shared length-scale and g
 * come from a grid, and with 'per-dimension' (the default) each length-scale is then moved
 * by factors of 2 and 4 while the likelihood improves. Inputs are expected in [0, 1]^d and
 * targets standardised.
 */
export function fitGaussianProcess(x: readonly (readonly number[])[], y: readonly number[], options: GpFitOptions = {}): GaussianProcess {
  const d = checkData(x, y);
  const n = x.length;
  const diff2 = squaredDifferences(x, d);
  const targets = Float64Array.from(y);
  const z = new Float64Array(n);
  const profiled = (lengthScales: readonly number[], ratio: number): { score: number; signalVariance: number } => {
    const l = cholesky(correlation(diff2, n, lengthScales, ratio), n);
    if (!l) return { score: -Infinity, signalVariance: 1 };
    forward(l, n, targets, z);
    let q = 0;
    for (let i = 0; i < n; i++) q += z[i] * z[i];
    const signalVariance = max(q / n, MIN_SIGNAL_VARIANCE);
    return {
      score: -0.5 * q / signalVariance - 0.5 * n * log(signalVariance) - 0.5 * logDeterminant(l, n) - 0.5 * n * LOG_2PI,
      signalVariance,
    };
  };

  let best = { lengthScales: new Array<number>(d).fill(1), ratio: NOISE_RATIOS[NOISE_RATIOS.length - 1], score: -Infinity, signalVariance: 1 };
  const consider = (lengthScales: number[], ratio: number): void => {
    const p = profiled(lengthScales, ratio);
    if (p.score > best.score) best = { lengthScales, ratio, ...p };
  };
  for (const scale of LENGTH_SCALE_GRID) {
    for (const ratio of NOISE_RATIOS) consider(new Array<number>(d).fill(scale * sqrt(d)), ratio);
  }
  if ((options.lengthScale ?? 'per-dimension') === 'per-dimension' && d > 1) {
    for (let sweep = 0; sweep < SWEEPS; sweep++) {
      for (let k = 0; k < d; k++) {
        const from = best.lengthScales;
        for (const step of LENGTH_SCALE_STEPS) {
          const moved = from[k] * step;
          if (moved < LENGTH_SCALE_BOUNDS[0] || moved > LENGTH_SCALE_BOUNDS[1]) continue;
          consider(from.map((s, i) => (i === k ? moved : s)), best.ratio);
        }
      }
      for (const ratio of NOISE_RATIOS) consider(best.lengthScales, ratio);
    }
  }
  if (best.score === -Infinity) throw new Error('no GP hyperparameters give a positive-definite covariance');
  return gaussianProcess(x, y, {
    lengthScales: best.lengthScales,
    signalVariance: best.signalVariance,
    noise: best.ratio * best.signalVariance,
  });
}

/**
 * log erfcx(u) = log(e^{u²} erfc(u)) for u ≥ 0, from the Chebyshev fit of Numerical Recipes'
 * erfcc (relative error below 1.2e-7 everywhere), which is already written as t·e^{poly(t)}.
 */
function logErfcx(u: number): number {
  const t = 1 / (1 + 0.5 * u);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return log(t) + poly;
}

/**
 * log of the expected improvement below `best` (minimisation) of a normal prediction:
 * EI = s·(zΦ(z) + φ(z)) with z = (best − mean)/s. In log space, and through erfcx for z < 0,
 * because candidates far from the incumbent have EI that underflows to 0 and would tie; the
 * ranking must still prefer the less hopeless one. -Infinity when the variance is 0 and the
 * mean no better than `best`.
 */
export function logExpectedImprovement(mean: number, variance: number, best: number): number {
  const s = sqrt(variance);
  if (!(s > 0)) return mean < best ? log(best - mean) : -Infinity;
  const z = (best - mean) / s;
  const logPhi = -0.5 * z * z - 0.5 * LOG_2PI;
  if (z >= 0) {
    const cdf = 1 - 0.5 * exp(-0.5 * z * z + logErfcx(z / Math.SQRT2));
    return log(s) + log(z * cdf + exp(logPhi));
  }
  if (z > -20) {
    // zΦ(z) + φ(z) = φ(z)·(1 + z·√(π/2)·erfcx(−z/√2)): no exponential underflow, and the
    // cancellation in the bracket costs at most about 1/z² of the relative precision.
    const bracket = 1 + z * sqrt(Math.PI / 2) * exp(logErfcx(-z / Math.SQRT2));
    return log(s) + logPhi + log(bracket);
  }
  // Far tail: the bracket's asymptotic series 1/z² − 3/z⁴ avoids the cancellation entirely.
  const z2 = z * z;
  return log(s) + logPhi + log((1 - 3 / z2) / z2);
}
