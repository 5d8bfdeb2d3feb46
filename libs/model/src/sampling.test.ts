import { Rng } from '@carve/engine';
import { argmax, sampleToken } from './sampling';

describe('sampleToken', () => {
  test('temperature 0 is argmax, first index on ties', () => {
    expect(sampleToken([0.1, 3, 3, -1], new Rng(1))).toBe(1);
    expect(argmax([5, 1, 5])).toBe(0);
  });

  test('the same seed draws the same tokens', () => {
    const logits = [1, 2, 0.5, 1.5];
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => sampleToken(logits, rng, { temperature: 1 }));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  test('temperature 1 samples the softmax distribution', () => {
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.2)];
    const rng = new Rng(9);
    const counts = [0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, rng, { temperature: 1 })]++;
    expect(counts[0] / n).toBeCloseTo(0.5, 1);
    expect(counts[1] / n).toBeCloseTo(0.3, 1);
    expect(counts[2] / n).toBeCloseTo(0.2, 1);
  });

  test('top-p keeps the smallest set of likeliest tokens reaching p', () => {
    // probabilities 0.5, 0.3, 0.2: top-p 0.7 keeps the first two only.
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.2)];
    const rng = new Rng(2);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, rng, { temperature: 1, topP: 0.7 }));
    expect([...seen].sort()).toEqual([0, 1]);
  });

  test('bad settings are rejected', () => {
    expect(() => sampleToken([1], new Rng(1), { temperature: -1 })).toThrow('temperature must be >= 0, got -1');
    expect(() => sampleToken([1], new Rng(1), { temperature: 1, topP: 0 })).toThrow('topP must be in (0, 1], got 0');
  });
});
