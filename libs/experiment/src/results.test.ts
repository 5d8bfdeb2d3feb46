import { analyse, Reference, ResultPoint } from './results';

const reference: Reference = { params: 1000, loss: 1, latencyMs: 2, tasks: { cloze: { metric: 'acc', value: 0.5, stderr: 0.01 } }, hypervolumeReference: [1, 5] };

const pt = (method: string, kind: ResultPoint['kind'], seed: number, params: number, loss: number, cloze = 0.1): ResultPoint => ({
  method, kind, seed, name: `${method}-${params}`, params, latencyMs: params / 100, loss, tasks: { cloze: { metric: 'acc', value: cloze, stderr: 0.01 } },
});

describe('analyse', () => {
  const points = [
    pt('method', 'arm', 0, 200, 3, 0.2), pt('method', 'arm', 0, 500, 2, 0.3), pt('method', 'arm', 0, 1000, 1.2, 0.4),
    pt('method', 'arm', 1, 200, 3.4, 0.1), pt('method', 'arm', 1, 500, 2.2, 0.2),
    pt('flap', 'baseline', 0, 450, 2.5), pt('flap', 'baseline', 1, 450, 2.1),
    pt('depth', 'baseline', 0, 800, 4), pt('depth', 'baseline', 1, 800, 4.2),
  ];
  const r = analyse(points, reference, [0.25, 0.5, 0.75]);

  test('hypervolume per seed: the area below the reference that the staircase dominates, by hand', () => {
    const method = r.methods.find((m) => m.method === 'method')!;
    // Seed 0, points (0.2, 3), (0.5, 2), (1.0, 1.2) from (1, 5): the last is not inside (x = 1).
    // (0.5 − 0.2)·(5 − 3) + (1 − 0.5)·(5 − 2) = 0.6 + 1.5.
    expect(method.hypervolume.perSeed[0]).toBeCloseTo(2.1, 12);
    // Seed 1: (0.5 − 0.2)·(5 − 3.4) + (1 − 0.5)·(5 − 2.2) = 0.48 + 1.4.
    expect(method.hypervolume.perSeed[1]).toBeCloseTo(1.88, 12);
    expect(method.hypervolume.mean).toBeCloseTo(1.99, 12);
    expect(method.hypervolume.std).toBeCloseTo(Math.sqrt(2 * 0.11 ** 2), 12);
    expect(method.seeds).toEqual([0, 1]);
    expect(r.methods.find((m) => m.method === 'depth')!.hypervolume.mean).toBeCloseTo(0.2 * 1 * 0.5 + 0.2 * 0.8 * 0.5, 12);
  });

  test('each budget takes every seed’s lowest loss inside it; the lowest mean wins', () => {
    const [quarter, half, threeQuarters] = r.budgets;
    expect(quarter).toMatchObject({ fraction: 0.25, params: 250, best: 'method' });
    expect(quarter.entries.map((e) => e.method)).toEqual(['method']);
    expect(quarter.entries[0].loss.perSeed).toEqual([3, 3.4]);
    expect(quarter.entries[0].tasks.cloze).toBeCloseTo(0.15, 12);
    // At half: the method's 2 and 2.2 (mean 2.1) against flap's 2.5 and 2.1 (mean 2.3).
    expect(half.entries.find((e) => e.method === 'method')!.loss.mean).toBeCloseTo(2.1, 12);
    expect(half.entries.find((e) => e.method === 'flap')!.loss.mean).toBeCloseTo(2.3, 12);
    expect(half.best).toBe('method');
    expect(threeQuarters.entries.map((e) => e.method)).toEqual(['method', 'flap']);
  });

  test('the dominance table lists, per baseline, the budgets the method wins and those it does not; a baseline above every budget (depth at 80%) has no row', () => {
    const worse = analyse([...points, pt('flap', 'baseline', 0, 300, 1.5), pt('flap', 'baseline', 1, 300, 1.5)], reference, [0.25, 0.5, 0.75]);
    expect(worse.dominance).toEqual([
      { baseline: 'flap', wins: [], losses: [0.5, 0.75] },
    ]);
    expect(r.dominance).toEqual([
      { baseline: 'flap', wins: [0.5, 0.75], losses: [] },
    ]);
  });
});
