import { OpDef } from '../op-def';
import { knownInts, need } from './infer';

/** Keeps the lower (or upper) triangle of the last two axes, zeroing the rest. */
export const triluOp: OpDef = {
  type: 'Trilu',
  inputs: ['input', 'k?'],
  outputs: ['output'],
  attributes: { upper: 'int' },
  infer(inputs) {
    const x = need(inputs, 0, 'input');
    if (x.shape.length < 2) throw new Error('input needs rank 2 or more');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  gradient: {
    emit: (g, [dY], _x, node) => ({
      input: () => g.trilu(dY!, node.attrs.upper === 1, node.inputs[1] ? knownInts(node.inputs[1], 'k')[0] : 0),
    }),
  },
};
