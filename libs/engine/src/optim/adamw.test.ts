import { AdamW } from './adamw';

describe('AdamW', () => {
  test('first step moves each weight by lr·g/(|g|+eps), after decoupled decay', () => {
    const p = Float32Array.from([1, -2, 0.5]);
    const g = [0.3, -4, 0];
    const opt = new AdamW({ p }, { lr: 0.1, weightDecay: 0.01, eps: 1e-8 });
    opt.step({ p: g });
    // With bias correction m̂ = g and v̂ = g² after one step.
    const expected = [1, -2, 0.5].map((w, i) => w * (1 - 0.1 * 0.01) - (0.1 * g[i]) / (Math.abs(g[i]) + 1e-8));
    expected.forEach((e, i) => expect(p[i]).toBeCloseTo(e, 6));
  });

  test('under a constant gradient every step has size lr (m̂ = g, v̂ = g² exactly)', () => {
    const p = Float32Array.from([0, 0]);
    const opt = new AdamW({ p }, { lr: 0.01, weightDecay: 0 });
    for (let t = 0; t < 50; t++) opt.step({ p: [2, -0.5] });
    expect(p[0]).toBeCloseTo(-0.5, 5);
    expect(p[1]).toBeCloseTo(0.5, 5);
  });

  test('matches a float64 reference of the PyTorch update rule over varying gradients', () => {
    const init = [0.3, -0.7, 1.2, 0.05];
    const p = Float32Array.from(init);
    const opt = new AdamW({ p }, { lr: 0.05, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1 });
    const ref = [...init];
    const m = [0, 0, 0, 0];
    const v = [0, 0, 0, 0];
    for (let t = 1; t <= 20; t++) {
      const g = ref.map((w, i) => Math.sin(t + i) * (1 + w));
      opt.step({ p: g });
      for (let i = 0; i < 4; i++) {
        ref[i] *= 1 - 0.05 * 0.1;
        m[i] = 0.8 * m[i] + 0.2 * g[i];
        v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
        const mhat = m[i] / (1 - 0.8 ** t);
        const vhat = v[i] / (1 - 0.95 ** t);
        ref[i] -= (0.05 * mhat) / (Math.sqrt(vhat) + 1e-6);
      }
    }
    ref.forEach((r, i) => expect(Math.abs(p[i] - r)).toBeLessThan(2e-5));
  });

  test('noDecay exempts parameters from weight decay', () => {
    const w = Float32Array.from([1]);
    const b = Float32Array.from([1]);
    const opt = new AdamW({ w, b }, { lr: 0.1, weightDecay: 0.5, noDecay: (n) => n === 'b' });
    opt.step({ w: [0], b: [0] });
    expect(w[0]).toBeCloseTo(0.95, 6);
    expect(b[0]).toBe(1);
  });

  test('state round-trips: a restored optimizer continues identically', () => {
    const a = Float32Array.from([0.1, 0.2]);
    const optA = new AdamW({ a });
    optA.step({ a: [1, -1] });
    const saved = optA.getState();
    const b = Float32Array.from(a);
    const optB = new AdamW({ a: b });
    optB.setState(saved);
    optA.step({ a: [0.5, 0.25] });
    optB.step({ a: [0.5, 0.25] });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(optB.stepCount).toBe(2);
  });

  test('bad options and mismatched gradients are reported together', () => {
    expect(() => new AdamW({ p: new Float32Array(1) }, { lr: -1, beta1: 1 })).toThrow(
      'AdamW: lr must be >= 0, got -1; beta1 must be in [0, 1), got 1',
    );
    const opt = new AdamW({ p: new Float32Array(2), q: new Float32Array(1) });
    expect(() => opt.step({ p: [1], r: [1] })).toThrow(
      "AdamW.step: gradient for 'p' has 1 elements, the parameter 2; no gradient for 'q'; gradient for unknown parameter 'r'",
    );
  });
});
