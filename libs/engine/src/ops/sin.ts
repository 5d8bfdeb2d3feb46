import { unaryFloat } from './elementwise';

export const sinOp = unaryFloat('Sin', (g, x) => g.cos(x));
