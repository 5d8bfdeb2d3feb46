import { dimEquals } from '../dims';
import { OpDef } from '../op-def';
import { intAttr, need, sameDtype } from './infer';

/**
 * General 2-D matrix product with optional transposes: Y = op(A)·op(B). Gradients use it
 * to multiply by a transpose without a separate Transpose node; so does a tied output
 * head (h · wteᵀ).
 */
export const gemmOp: OpDef = {
  type: 'Gemm',
  inputs: ['A', 'B'],
  outputs: ['Y'],
  attributes: { transA: 'int', transB: 'int' },
  infer(inputs, attrs) {
    const a = need(inputs, 0, 'A');
    const b = need(inputs, 1, 'B');
    const dtype = sameDtype(a, b, 'A and B');
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('Gemm takes 2-D operands');
    const [m, k1] = intAttr(attrs, 'transA', 0) ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [k2, n] = intAttr(attrs, 'transB', 0) ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
    if (!dimEquals(k1, k2)) throw new Error(`inner dimensions ${k1} and ${k2} differ`);
    return [{ dtype, shape: [m, n] }];
  },
  gradient: {
    // With A' = op(A), B' = op(B): dA' = dY·B'ᵀ and dB' = A'ᵀ·dY, transposed back where op transposed.
    emit: (g, [dY], [a, b], node) => {
      const ta = intAttr(node.attrs, 'transA', 0) === 1;
      const tb = intAttr(node.attrs, 'transB', 0) === 1;
      return {
        A: () => (ta ? g.gemm(b!, dY!, { transA: tb, transB: true }) : g.gemm(dY!, b!, { transB: !tb })),
        B: () => (tb ? g.gemm(dY!, a!, { transA: true, transB: ta }) : g.gemm(a!, dY!, { transA: !ta })),
      };
    },
  },
};
