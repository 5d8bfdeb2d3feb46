import { unaryFloat } from './elementwise';

export const sqrtOp = unaryFloat('Sqrt', (g, _x, y) => g.div(0.5, y));
