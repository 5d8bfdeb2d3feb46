import { hypervolume } from './hypervolume';
import { dtlz2, PROBLEMS, zdt1, zdt2 } from './problems';

/** Pareto-optimal decision vectors: ZDT's x2 … xn at 0, DTLZ2's x3 … xn at 0.5. */
const zdtOptimum = (t: number) => [t, ...new Array<number>(29).fill(0)];
const dtlzOptimum = (u: number, v: number) => [u, v, ...new Array<number>(10).fill(0.5)];

describe('test problems', () => {
  test.each([
    { problem: zdt1, front: (f1: number) => 1 - Math.sqrt(f1) },
    { problem: zdt2, front: (f1: number) => 1 - f1 * f1 },
  ])('$problem.name: the optimum lies on its known front, whose dense sample has the stated hypervolume', ({ problem, front }) => {
    const n = 2000;
    const points = Array.from({ length: n + 1 }, (_, i) => problem.evaluate(zdtOptimum(i / n)));
    for (const [f1, f2] of points) expect(f2).toBeCloseTo(front(f1), 12);
    const hv = hypervolume(points, problem.reference);
    // A finite sample falls short of the whole front, by less than the staircase's steps.
    expect(hv).toBeLessThan(problem.optimalHypervolume);
    expect(hv).toBeGreaterThan(problem.optimalHypervolume - 1 / n);
  });

  test('dtlz2: the optimum lies on the unit sphere, whose dense sample approaches 1.1³ − π/6', () => {
    expect(dtlz2.optimalHypervolume).toBeCloseTo(1.331 - Math.PI / 6, 12);
    const n = 60;
    const points: number[][] = [];
    for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) points.push(dtlz2.evaluate(dtlzOptimum(i / n, j / n)));
    for (const p of points) expect(Math.hypot(...p)).toBeCloseTo(1, 12);
    const hv = hypervolume(points, dtlz2.reference);
    expect(hv).toBeLessThan(dtlz2.optimalHypervolume);
    expect(hv / dtlz2.optimalHypervolume).toBeGreaterThan(0.98);
  });

  test('every problem has one reference value per objective and a domain of its variables', () => {
    expect(PROBLEMS.map((p) => [p.name, p.domain.dimensions, p.objectives.length, p.reference.length])).toEqual([
      ['zdt1', 30, 2, 2],
      ['zdt2', 30, 2, 2],
      ['dtlz2', 12, 3, 3],
    ]);
    // Off the optimum a problem is worse: ZDT's g grows, DTLZ2's radius grows.
    expect(zdt1.evaluate(new Array<number>(30).fill(0.5))[1]).toBeGreaterThan(1);
    expect(Math.hypot(...dtlz2.evaluate(new Array<number>(12).fill(0.2)))).toBeGreaterThan(1);
  });
});
