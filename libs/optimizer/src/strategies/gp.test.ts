import { Rng } from '@carve/engine';
import { fitGaussianProcess, gaussianProcess, logExpectedImprovement, logMarginalLikelihood, matern52 } from './gp';

const smooth = (x: readonly number[]): number => Math.sin(2 * Math.PI * x[0]) + 0.5 * x[1];

function sampleData(n: number, seed: number): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const x = Array.from({ length: n }, () => [rng.next(), rng.next()]);
  return { x, y: x.map(smooth) };
}

describe('gaussianProcess', () => {
  const { x, y } = sampleData(20, 1);
  const gp = gaussianProcess(x, y, { lengthScales: [0.3, 0.3], signalVariance: 1, noise: 1e-10 });

  it('interpolates noiseless training data with ~0 variance there', () => {
    for (let i = 0; i < x.length; i++) {
      const p = gp.predict(x[i]);
      expect(Math.abs(p.mean - y[i])).toBeLessThan(1e-6);
      expect(p.variance).toBeLessThan(1e-6);
    }
  });

  it('grows the variance away from the data, up to the prior variance', () => {
    const near = gp.predict([x[0][0] + 0.01, x[0][1]]).variance;
    const farther = gp.predict([x[0][0] + 0.1, x[0][1]]).variance;
    const far = gp.predict([5, 5]);
    expect(near).toBeGreaterThan(gp.predict(x[0]).variance);
    expect(farther).toBeGreaterThan(near);
    expect(far.variance).toBeCloseTo(1, 6);
    expect(far.mean).toBeCloseTo(0, 6);
  });

  it('matches a hand-computed 2-point example', () => {
    // K = [[1, c], [c, 1]] with c = m52(1); K⁻¹ = [[1, −c], [−c, 1]] / (1 − c²).
    const c = (1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5));
    expect(matern52(1)).toBeCloseTo(c, 15);
    const ty = [1, 2];
    const two = gaussianProcess([[0], [1]], ty, { lengthScales: [1], signalVariance: 1, noise: 0 });
    const a = [(ty[0] - c * ty[1]) / (1 - c * c), (ty[1] - c * ty[0]) / (1 - c * c)];
    const k0 = matern52(0.25);
    const k1 = matern52(0.75);
    const p = two.predict([0.25]);
    expect(p.mean).toBeCloseTo(k0 * a[0] + k1 * a[1], 12);
    expect(p.variance).toBeCloseTo(1 - (k0 * k0 - 2 * c * k0 * k1 + k1 * k1) / (1 - c * c), 12);
    const lml = -0.5 * (ty[0] * a[0] + ty[1] * a[1]) - 0.5 * Math.log(1 - c * c) - Math.log(2 * Math.PI);
    expect(two.logMarginalLikelihood).toBeCloseTo(lml, 12);
  });

  it('scales mean and variance with the signal variance', () => {
    const scaled = gaussianProcess([[0], [1]], [2, 4], { lengthScales: [1], signalVariance: 4, noise: 0 });
    const unit = gaussianProcess([[0], [1]], [1, 2], { lengthScales: [1], signalVariance: 1, noise: 0 });
    expect(scaled.predict([0.4]).mean).toBeCloseTo(2 * unit.predict([0.4]).mean, 12);
    expect(scaled.predict([0.4]).variance).toBeCloseTo(4 * unit.predict([0.4]).variance, 12);
  });

  it('rejects a singular covariance and mismatched shapes', () => {
    expect(() => gaussianProcess([[0.5], [0.5]], [1, 2], { lengthScales: [1], signalVariance: 1, noise: 0 })).toThrow(/positive definite/);
    expect(logMarginalLikelihood([[0.5], [0.5]], [1, 2], { lengthScales: [1], signalVariance: 1, noise: 0 })).toBe(-Infinity);
    expect(() => gaussianProcess([[0], [1]], [1], { lengthScales: [1], signalVariance: 1, noise: 0 })).toThrow(/targets/);
    expect(() => gaussianProcess([[0], [1]], [1, 2], { lengthScales: [1, 1], signalVariance: 1, noise: 0 })).toThrow(/length-scales/);
  });
});

describe('log marginal likelihood and fitting', () => {
  const rng = new Rng(7);
  const x1 = Array.from({ length: 25 }, (_, i) => [(i + 0.5 * rng.next()) / 25]);
  const y1 = x1.map((v) => Math.sin(2 * Math.PI * v[0]));
  const at = (lengthScale: number): number => logMarginalLikelihood(x1, y1, { lengthScales: [lengthScale], signalVariance: 1, noise: 1e-6 });

  it('prefers a length-scale of the order of the function’s wiggles', () => {
    // Much shorter scales explain sin(2πx) as unrelated values, much longer ones cannot bend
    // enough; with Matérn-5/2 the optimum lies near half a period.
    expect(at(0.5)).toBeGreaterThan(at(0.01));
    expect(at(0.5)).toBeGreaterThan(at(10));
    const fitted = fitGaussianProcess(x1, y1, { lengthScale: 'shared' });
    expect(fitted.hyperparameters.lengthScales[0]).toBeGreaterThan(0.2);
    expect(fitted.hyperparameters.lengthScales[0]).toBeLessThan(2);
    expect(fitted.logMarginalLikelihood).toBeGreaterThan(at(0.5));
  });

  it('gives an irrelevant input a longer per-dimension length-scale and predicts held-out points', () => {
    const { x } = sampleData(40, 3);
    const onlyFirst = x.map((v) => Math.sin(2 * Math.PI * v[0]));
    const fitted = fitGaussianProcess(x, onlyFirst);
    const [relevant, irrelevant] = fitted.hyperparameters.lengthScales;
    expect(irrelevant).toBeGreaterThan(4 * relevant);
    const test = sampleData(50, 4).x;
    const error = Math.max(...test.map((v) => Math.abs(fitted.predict(v).mean - Math.sin(2 * Math.PI * v[0]))));
    expect(error).toBeLessThan(0.1);
  });

  it('is deterministic', () => {
    const { x, y } = sampleData(30, 5);
    expect(fitGaussianProcess(x, y).hyperparameters).toEqual(fitGaussianProcess(x, y).hyperparameters);
  });
});

describe('logExpectedImprovement', () => {
  const phi0 = 1 / Math.sqrt(2 * Math.PI);

  it('matches the closed form', () => {
    // At z = 0, EI = s·φ(0).
    expect(Math.exp(logExpectedImprovement(1, 4, 1))).toBeCloseTo(2 * phi0, 6);
    // At z = 1 (best − mean = s = 1): Φ(1) + φ(1).
    expect(Math.exp(logExpectedImprovement(0, 1, 1))).toBeCloseTo(0.8413447461 + 0.2419707245, 6);
    // At z = −1: −Φ(−1) + φ(1).
    expect(Math.exp(logExpectedImprovement(1, 1, 0))).toBeCloseTo(-0.1586552539 + 0.2419707245, 6);
  });

  it('keeps ranking candidates whose improvement underflows', () => {
    const scores = [5, 20, 40, 100].map((m) => logExpectedImprovement(m, 1, 0));
    for (const s of scores) expect(Number.isFinite(s)).toBe(true);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]);
    expect(Math.exp(scores[3])).toBe(0);
  });

  it('is the plain improvement without uncertainty', () => {
    expect(logExpectedImprovement(1, 0, 3)).toBeCloseTo(Math.log(2), 12);
    expect(logExpectedImprovement(3, 0, 1)).toBe(-Infinity);
  });
});
