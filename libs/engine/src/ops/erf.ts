import { unaryFloat } from './elementwise';

// d erf(x)/dx = 2/√π · exp(-x²)
export const erfOp = unaryFloat('Erf', (g, x) => g.mul(g.exp(g.neg(g.mul(x, x))), 2 / Math.sqrt(Math.PI)));
