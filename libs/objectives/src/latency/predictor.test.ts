import { Rng } from '@carve/engine';
import { loadLlama2c, presetConfig, SubNetwork } from '@carve/model';
import { jointSpace, layerwiseSpace } from '@carve/search-space';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';
import { measureLatencies } from './measure';
import { evaluatePredictor, featureNames, fitLatencyPredictor, LatencyPhase, latencyFeatures, nnls } from './predictor';

test('nnls solves least squares with the negative parts clamped to zero', () => {
  expect(nnls([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, -2, 3])).toEqual([1, 0, 3]);
  // Unconstrained, x = (2, −1); with x ≥ 0 the second is 0 and the first the mean of 2 and 1.
  const x = nnls([[1, 0], [1, 1], [0, 1]], [2, 1, -1]);
  expect(x[0]).toBeCloseTo(1.5, 12);
  expect(x[1]).toBe(0);
  // A duplicated column is a singular system: the solution still fits exactly.
  const y = nnls([[1, 1], [2, 2]], [3, 6]);
  expect(y[0] + y[1]).toBeCloseTo(3, 12);
});

describe('fitLatencyPredictor on synthetic latencies', () => {
  const config = presetConfig('bench-4M');
  const space = layerwiseSpace(config);
  const rng = new Rng(5);
  const members = Array.from({ length: 70 }, () => space.sample(rng));

  test.each(['prefill', 'decode'] as LatencyPhase[])('%s: recovers a known linear model, its coefficients without noise and its latencies under 1% noise', (phase) => {
    const knots = [...new Set(members.map((s) => s.headSize))].sort((a, b) => a - b);
    const shape = { phase, batch: 2, seqLen: 64, decodeTokens: 1, knots };
    const names = featureNames(knots);
    const full = latencyFeatures(config, space.largest(), shape);
    const perScore = 1 / full[names.indexOf(`attention scores at head size ${knots[knots.length - 1]}`)];
    const knotOf = (name: string) => knots.findIndex((k) => name === `attention scores at head size ${k}`);
    // Each feature costs the full network 1 ms (the cache nothing in prefill, where it is 0);
    // a score at the smallest head size costs 0.4 of one at the largest, linearly in between.
    const truth = names.map((name, j) => {
      const knot = knotOf(name);
      if (knot >= 0) return perScore * (0.4 + (0.6 * knot) / (knots.length - 1));
      return full[j] > 0 ? 1 / full[j] : 0;
    });
    const latency = (s: SubNetwork) => latencyFeatures(config, s, shape).reduce((sum, f, j) => sum + f * truth[j], 0);
    const samples = members.map((subNetwork) => ({ subNetwork, ms: latency(subNetwork) * (1 + 0.01 * rng.normal()) }));
    const predictor = fitLatencyPredictor(samples.slice(0, 40), config, { phase, batch: 2, seqLen: 64 });
    expect(predictor.featureNames).toEqual(names);
    expect(predictor.coefficients.every((c) => c >= 0)).toBe(true);
    const { mape, maxApe, n } = evaluatePredictor(predictor, samples.slice(40));
    expect(n).toBe(30);
    expect(mape).toBeLessThan(0.02);
    expect(maxApe).toBeLessThan(0.06);
    // On the clean model every member is predicted within a few percent.
    for (const s of members.slice(40)) expect(Math.abs(predictor.predict(s) / latency(s) - 1)).toBeLessThan(0.05);
    expect(predictor.describe()).toContain(`${phase} latency`);
    // Without noise the coefficients themselves come back.
    const exact = fitLatencyPredictor(members.map((subNetwork) => ({ subNetwork, ms: latency(subNetwork) })), config, { phase, batch: 2, seqLen: 64 });
    exact.coefficients.forEach((c, j) => expect(Math.abs(c - truth[j])).toBeLessThanOrEqual(1e-6 * truth[j]));
  });

  test('rejects latencies that are not positive', () => {
    expect(() => fitLatencyPredictor([{ subNetwork: members[0], ms: 0 }], config)).toThrow(/positive and finite, got 0/);
    expect(() => fitLatencyPredictor([], config)).toThrow(/no samples/);
  });
});

describeWithAssets('the latency predictor on stories260K', () => {
  test('fitted on 40 measured members of the joint space, it predicts 30 distinct others within 10% (MAPE)', async () => {
    const model = loadLlama2c(STORIES260K);
    const space = jointSpace(model.config);
    const rng = new Rng(1);
    const distinct = new Map<string, SubNetwork>();
    while (distinct.size < 70) {
      const s = space.sample(rng);
      distinct.set(JSON.stringify(s), s);
    }
    const members = [...distinct.values()];
    const start = Date.now();
    const reports = await measureLatencies(model, members, { repeats: 50, rounds: 50, warmup: 1 });
    const lines = [`measured 70 members in ${((Date.now() - start) / 1000).toFixed(1)} s; held-out MAPE (max APE) on 30 members:`];
    const mapes: Record<string, number> = {};
    for (const phase of ['prefill', 'decode'] as const) {
      for (const statistic of ['min', 'p50'] as const) {
        const samples = members.map((subNetwork, i) => ({ subNetwork, ms: reports[i][phase][statistic] }));
        const predictor = fitLatencyPredictor(samples.slice(0, 40), model.config, { phase });
        const { mape, maxApe } = evaluatePredictor(predictor, samples.slice(40));
        mapes[`${phase} ${statistic}`] = mape;
        lines.push(`  ${phase} ${statistic}: ${(100 * mape).toFixed(1)}% (${(100 * maxApe).toFixed(1)}%)`);
        if (statistic === 'min') lines.push(predictor.describe());
      }
    }
    console.log(lines.join('\n'));
    // The fastest run is what the work of the network costs; the median adds whatever else
    // the machine was running (see docs/latency.md), so only the former is held to 10%.
    expect(mapes['prefill min']).toBeLessThanOrEqual(0.1);
    expect(mapes['decode min']).toBeLessThanOrEqual(0.1);
  });
});
