import { binaryArithmetic } from './elementwise';

export const addOp = binaryArithmetic('Add', (_g, dY) => ({ A: () => dY, B: () => dY }));
