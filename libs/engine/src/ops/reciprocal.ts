import { unaryFloat } from './elementwise';

export const reciprocalOp = unaryFloat('Reciprocal', (g, _x, y) => g.neg(g.mul(y, y)));
