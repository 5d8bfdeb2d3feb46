import { unaryFloat } from './elementwise';

export const cosOp = unaryFloat('Cos', (g, x) => g.neg(g.sin(x)));
