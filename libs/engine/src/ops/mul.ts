import { binaryArithmetic } from './elementwise';

export const mulOp = binaryArithmetic('Mul', (g, dY, a, b) => ({ A: () => g.mul(dY, b), B: () => g.mul(dY, a) }));
