import { Rng } from '@carve/engine';
import { polynomialMutation, sbx } from './variation';

const inBox = (v: number[]) => v.every((x) => x >= 0 && x <= 1);

describe('SBX crossover', () => {
  test('children stay in [0, 1], even from parents at the bounds', () => {
    const rng = new Rng(1);
    for (let t = 0; t < 500; t++) {
      const a = Array.from({ length: 8 }, () => (rng.next() < 0.2 ? rng.int(2) : rng.next()));
      const b = Array.from({ length: 8 }, () => rng.next());
      const [c1, c2] = sbx(a, b, rng, { eta: 2 });
      expect(inBox(c1) && inBox(c2)).toBe(true);
    }
  });

  test('is deterministic under a seed, leaves equal entries alone, and spreads around the parents', () => {
    const a = [0.2, 0.5, 0.7];
    const b = [0.4, 0.5, 0.1];
    expect(sbx(a, b, new Rng(5))).toEqual(sbx(a, b, new Rng(5)));
    const rng = new Rng(2);
    let sum = 0;
    for (let t = 0; t < 2000; t++) {
      const [c1, c2] = sbx(a, b, rng, { probability: 1 });
      expect(c1[1]).toBe(0.5);
      // SBX preserves the parents' mean away from the bounds.
      sum += c1[0] + c2[0];
    }
    expect(sum / 2000).toBeCloseTo(0.6, 2);
  });

  test('refuses parents of different lengths', () => {
    expect(() => sbx([0.1], [0.1, 0.2], new Rng(0))).toThrow('sbx: parents of lengths 1 and 2');
  });
});

describe('polynomial mutation', () => {
  test('stays in [0, 1], is deterministic under a seed, and does not change its input', () => {
    const x = [0, 1, 0.5, 0.999, 0.001];
    const rng = new Rng(3);
    for (let t = 0; t < 500; t++) expect(inBox(polynomialMutation(x, rng, { rate: 1, eta: 1 }))).toBe(true);
    expect(polynomialMutation(x, new Rng(9), { rate: 0.5 })).toEqual(polynomialMutation(x, new Rng(9), { rate: 0.5 }));
    expect(x).toEqual([0, 1, 0.5, 0.999, 0.001]);
  });

  test.each([
    [20, undefined, 1],
    [20, 0.25, 5],
    [10, 0.5, 5],
  ])('in %d dimensions at rate %s, about rate·d entries change per call (%d expected)', (d, rate, expected) => {
    const x = new Array<number>(d).fill(0.5);
    const rng = new Rng(d);
    let changed = 0;
    const calls = 4000;
    for (let t = 0; t < calls; t++) changed += polynomialMutation(x, rng, { rate }).filter((v, i) => v !== x[i]).length;
    expect(changed / calls).toBeCloseTo(expected, 1);
  });
});
