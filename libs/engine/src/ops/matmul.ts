import { broadcastShapes, dimEquals, formatShape } from '../dims';
import { OpDef } from '../op-def';
import type { Value } from '../graph';
import type { Builder } from '../op-def';
import { need, sameDtype } from './infer';

/** Swaps the last two axes. */
function transposeLast2(g: Builder, x: Value): Value {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return g.transpose(x, perm);
}

/**
 * Batched matrix product [..., M, K] x [..., K, N] -> [..., M, N]; both operands of rank 2
 * or more (unsqueeze a vector first).
 */
export const matmulOp: OpDef = {
  type: 'MatMul',
  inputs: ['A', 'B'],
  outputs: ['Y'],
  infer(inputs) {
    const a = need(inputs, 0, 'A');
    const b = need(inputs, 1, 'B');
    const dtype = sameDtype(a, b, 'A and B');
    if (a.shape.length < 2 || b.shape.length < 2) throw new Error('both operands need rank 2 or more (unsqueeze a vector first)');
    const k1 = a.shape[a.shape.length - 1];
    const k2 = b.shape[b.shape.length - 2];
    if (!dimEquals(k1, k2)) throw new Error(`cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}: inner dimensions ${k1} and ${k2} differ`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (typeof batch === 'string') throw new Error(`batch dimensions: ${batch}`);
    return [{ dtype, shape: [...batch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]] }];
  },
  gradient: {
    emit: (g, [dY], [a, b]) => ({
      // dA = dY · Bᵀ; for a weight matrix B, one Gemm over the folded batch, no Transpose node.
      A: () =>
        b!.rank === 2
          ? g.reshape(g.gemm(g.flattenRows(dY!), b!, { transB: true }), a!.shape)
          : g.sumToShape(g.matmul(dY!, transposeLast2(g, b!)), a!.shape),
      B: () => {
        if (b!.rank === 2 && a!.rank > 2) {
          // A weight shared over the batch: fold batch into rows, one GEMM Aᵀ·dY gives [K, N].
          return g.gemm(g.flattenRows(a!), g.flattenRows(dY!), { transA: true });
        }
        return g.sumToShape(g.matmul(transposeLast2(g, a!), dY!), b!.shape);
      },
    }),
  },
};
