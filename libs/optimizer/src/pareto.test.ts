import { Rng } from '@carve/engine';
import { hypervolume, hypervolumeEstimate } from './hypervolume';
import { constrainedDominates, constrainedSort, crowdingDistance, dominates, nonDominatedSort, paretoFront } from './pareto';

function randomPoints(rng: Rng, n: number, m: number, max = 8): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => rng.int(max)));
}

/** The O(n²)-per-front reference: repeatedly take the points no remaining point dominates. */
function naiveFronts(points: number[][]): number[][] {
  let remaining = points.map((_, i) => i);
  const fronts: number[][] = [];
  while (remaining.length) {
    const front = remaining.filter((i) => !remaining.some((j) => dominates(points[j], points[i])));
    fronts.push(front);
    remaining = remaining.filter((i) => !front.includes(i));
  }
  return fronts;
}

/** Brute force: unit cells below the reference whose lower corner some point dominates or equals. */
function countCells(points: number[][], reference: number[]): number {
  let count = 0;
  const walk = (corner: number[]) => {
    if (corner.length === reference.length) {
      if (points.some((p) => p.every((v, i) => v <= corner[i]))) count++;
      return;
    }
    for (let c = 0; c < reference[corner.length]; c++) walk([...corner, c]);
  };
  walk([]);
  return count;
}

describe('Pareto sorting', () => {
  test('non-dominated sorting matches the naive reference on random point sets', () => {
    const rng = new Rng(1);
    for (let t = 0; t < 200; t++) {
      const points = randomPoints(rng, 1 + rng.int(30), 2 + rng.int(3));
      expect(nonDominatedSort(points).map((f) => [...f].sort((a, b) => a - b))).toEqual(naiveFronts(points));
    }
  });

  test('dominance, front and crowding distance on a hand-checked set', () => {
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    const points = [[0, 4], [1, 2], [2, 1], [4, 0], [3, 3]];
    expect(paretoFront(points)).toEqual([0, 1, 2, 3]);
    // Interior points: (2 − 0)/4 + (4 − 1)/4 = 1.25 for [1, 2], and (4 − 1)/4 + (2 − 0)/4 = 1.25 for [2, 1].
    expect(crowdingDistance(points, [0, 1, 2, 3])).toEqual([Infinity, 1.25, 1.25, Infinity]);
  });
});

describe('hypervolume', () => {
  test.each([1, 2, 3])('exact in %d objectives, equal to a brute-force cell count on random integer sets', (m) => {
    const rng = new Rng(m);
    for (let t = 0; t < 100; t++) {
      const points = randomPoints(rng, 1 + rng.int(12), m);
      const reference = new Array<number>(m).fill(8);
      expect(hypervolume(points, reference)).toBe(countCells(points, reference));
    }
  });

  test('points outside the reference add nothing; mismatched lengths are refused', () => {
    expect(hypervolume([[9, 0], [2, 2]], [8, 8])).toBe(36);
    expect(() => hypervolume([[1, 2, 3]], [4, 4])).toThrow('a point has 3 objectives, the reference point 2');
    expect(() => hypervolume([[1, 1, 1, 1]], [2, 2, 2, 2])).toThrow('use hypervolumeEstimate');
  });

  test('the Monte Carlo estimate is within 4 standard errors of the exact value', () => {
    const rng = new Rng(9);
    const points = randomPoints(rng, 10, 3);
    const exact = hypervolume(points, [8, 8, 8]);
    const { volume, standardError } = hypervolumeEstimate(points, [8, 8, 8], 20000, new Rng(3));
    expect(standardError).toBeGreaterThan(0);
    expect(Math.abs(volume - exact)).toBeLessThan(4 * standardError);
  });
});

describe('constrained sorting', () => {
  /** Deb's rule applied naively: repeatedly take the points no remaining point constraint-dominates. */
  function naiveConstrained(points: number[][], violations: number[]): number[][] {
    let remaining = points.map((_, i) => i);
    const fronts: number[][] = [];
    while (remaining.length) {
      const front = remaining.filter((i) => !remaining.some((j) => constrainedDominates(points[j], violations[j], points[i], violations[i])));
      fronts.push(front);
      remaining = remaining.filter((i) => !front.includes(i));
    }
    return fronts;
  }

  test('matches the naive reference on random sets with feasible and infeasible points', () => {
    const rng = new Rng(4);
    for (let t = 0; t < 200; t++) {
      const points = randomPoints(rng, 1 + rng.int(30), 2 + rng.int(2));
      const violations = points.map(() => (rng.next() < 0.5 ? 0 : rng.int(4) / 2));
      expect(constrainedSort(points, violations).map((f) => [...f].sort((a, b) => a - b))).toEqual(naiveConstrained(points, violations));
    }
  });

  test('feasible fronts come first, then infeasible points by violation, equal violations together', () => {
    const points = [[5, 5], [0, 0], [1, 1], [9, 9], [2, 0]];
    expect(constrainedSort(points, [0, 0.5, 0.5, 0, 0.2])).toEqual([[0], [3], [4], [1, 2]]);
    expect(() => constrainedSort(points, [0])).toThrow('5 points but 1 violations');
  });
});
