import { OpDef } from '../op-def';
import { need } from './infer';

export const transposeOp: OpDef = {
  type: 'Transpose',
  inputs: ['data'],
  outputs: ['transposed'],
  attributes: { perm: 'ints' },
  infer(inputs, attrs) {
    const x = need(inputs, 0, 'data');
    const r = x.shape.length;
    const perm = (attrs.perm as number[] | undefined) ?? x.shape.map((_, i) => r - 1 - i);
    if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw new Error(`perm [${perm.join(', ')}] is not a permutation of ${r} axes`);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  gradient: {
    emit: (g, [dY], [x], node) => ({
      data: () => {
        const perm = (node.attrs.perm as number[] | undefined) ?? x!.shape.map((_, i) => x!.rank - 1 - i);
        const inverse = new Array<number>(perm.length);
        perm.forEach((p, i) => (inverse[p] = i));
        return g.transpose(dY!, inverse);
      },
    }),
  },
};
