import { unaryFloat } from './elementwise';

export const logOp = unaryFloat('Log', (g, x) => g.reciprocal(x));
