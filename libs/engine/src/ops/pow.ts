import { binaryArithmetic } from './elementwise';

// d(a^b)/da = b·a^(b-1); d(a^b)/db = a^b·ln(a), defined for a > 0.
export const powOp = binaryArithmetic('Pow', (g, dY, a, b, y) => ({
  A: () => g.mul(dY, g.mul(b, g.pow(a, g.sub(b, 1)))),
  B: () => g.mul(dY, g.mul(y, g.log(a))),
}));
