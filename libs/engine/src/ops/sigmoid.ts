import { unaryFloat } from './elementwise';

export const sigmoidOp = unaryFloat('Sigmoid', (g, _x, y) => g.mul(y, g.sub(1, y)));
