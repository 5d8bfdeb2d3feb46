import { clipGradNorm } from './clip';

describe('clipGradNorm', () => {
  test('scales to the max norm across all tensors and returns the norm before clipping', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float32Array.from([0, 4]);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    const after = Math.hypot(a[0], a[1], b[0], b[1]);
    expect(after).toBeCloseTo(1, 5);
    expect(a[0] / b[1]).toBeCloseTo(0.75, 6); // direction kept
  });

  test('leaves small gradients alone', () => {
    const a = Float32Array.from([0.1, 0.2]);
    clipGradNorm([a], 1);
    expect(Array.from(a)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  test('a non-finite norm is returned without scaling', () => {
    const a = Float32Array.from([NaN, 1]);
    expect(clipGradNorm([a], 1)).toBeNaN();
    expect(a[1]).toBe(1);
  });

  test('rejects a non-positive max norm', () => {
    expect(() => clipGradNorm([], 0)).toThrow('clipGradNorm: maxNorm must be > 0, got 0');
  });
});
