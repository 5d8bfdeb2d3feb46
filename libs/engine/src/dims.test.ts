import { broadcastShapes, dimDiv, dimEquals, dimMul, evaluateDim, normalizeDim, shapeSize } from './dims';

describe('symbolic dimensions', () => {
  test('products are canonical', () => {
    expect(normalizeDim('T*B')).toBe('B*T');
    expect(dimMul('T', 'B')).toBe('B*T');
    expect(dimMul(4, 'T')).toBe('4*T');
    expect(dimMul(1, 'T')).toBe('T');
    expect(shapeSize(['B', 'T', 8])).toBe('8*B*T');
    expect(dimEquals('B*T', 'T*B')).toBe(true);
  });

  test('exact division or undefined', () => {
    expect(dimDiv('8*B*T', 8)).toBe('B*T');
    expect(dimDiv('8*B*T', 'B*T')).toBe(8);
    expect(dimDiv('B', 'T')).toBeUndefined();
    expect(dimDiv(6, 4)).toBeUndefined();
  });

  test('evaluation against sizes, and errors for unknown names', () => {
    expect(evaluateDim('4*B*T', { B: 2, T: 3 })).toBe(24);
    expect(() => evaluateDim('B*S', { B: 2 })).toThrow("symbolic dimension 'S' has no value (known: B)");
    expect(() => normalizeDim('B+1')).toThrow("invalid symbolic dimension 'B+1'");
    expect(() => normalizeDim(-1)).toThrow('invalid dimension -1');
  });

  test('broadcasting', () => {
    expect(broadcastShapes(['B', 'T', 8], [8])).toEqual(['B', 'T', 8]);
    expect(broadcastShapes(['B', 1, 'T'], [4, 1])).toEqual(['B', 4, 'T']);
    expect(broadcastShapes([3], [4])).toBe('cannot broadcast [3] with [4] (axis 0: 3 vs 4)');
    expect(broadcastShapes(['B'], ['T'])).toBe('cannot broadcast [B] with [T] (axis 0: B vs T)');
  });
});
