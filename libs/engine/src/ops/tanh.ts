import { unaryFloat } from './elementwise';

export const tanhOp = unaryFloat('Tanh', (g, _x, y) => g.sub(1, g.mul(y, y)));
