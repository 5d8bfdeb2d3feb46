import { binaryArithmetic } from './elementwise';

export const subOp = binaryArithmetic('Sub', (g, dY) => ({ A: () => dY, B: () => g.neg(dY) }));
