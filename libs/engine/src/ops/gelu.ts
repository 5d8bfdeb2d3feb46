import { OpDef } from '../op-def';
import { need, requireFloat } from './infer';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU (opset 20): exact erf form, or GPT-2's tanh approximation with approximate='tanh'. */
export const geluOp: OpDef = {
  type: 'Gelu',
  inputs: ['X'],
  outputs: ['Y'],
  attributes: { approximate: 'string' },
  infer(inputs, attrs) {
    const x = need(inputs, 0, 'X');
    requireFloat(x, 'X');
    const mode = attrs.approximate ?? 'none';
    if (mode !== 'none' && mode !== 'tanh') throw new Error(`attribute 'approximate' must be 'none' or 'tanh', got '${String(mode)}'`);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  gradient: {
    emit: (g, [dY], [x], node) => ({
      X: () => {
        const xv = x!;
        if (node.attrs.approximate === 'tanh') {
          // y = ½x(1+t), t = tanh(u), u = √(2/π)(x + 0.044715x³)
          const x2 = g.mul(xv, xv);
          const t = g.tanh(g.mul(g.add(xv, g.mul(g.mul(x2, xv), 0.044715)), SQRT_2_OVER_PI));
          const du = g.mul(g.add(g.mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
          const dydx = g.add(g.mul(g.add(t, 1), 0.5), g.mul(g.mul(g.mul(xv, 0.5), g.sub(1, g.mul(t, t))), du));
          return g.mul(dY!, dydx);
        }
        // y = xΦ(x): dy/dx = Φ(x) + xφ(x)
        const cdf = g.mul(g.add(g.erf(g.mul(xv, Math.SQRT1_2)), 1), 0.5);
        const pdf = g.mul(g.exp(g.mul(g.mul(xv, xv), -0.5)), INV_SQRT_2PI);
        return g.mul(dY!, g.add(cdf, g.mul(xv, pdf)));
      },
    }),
  },
};
