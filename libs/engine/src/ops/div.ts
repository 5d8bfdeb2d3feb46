import { binaryArithmetic } from './elementwise';

// d(a/b)/db = -a/b² = -y/b
export const divOp = binaryArithmetic('Div', (g, dY, _a, b, y) => ({ A: () => g.div(dY, b), B: () => g.neg(g.mul(dY, g.div(y, b))) }));
