import { OpDef } from '../op-def';
import { inferReduce, reducedAxes } from './reduce';

/** Max over axes; the gradient is shared equally by the elements tied at the maximum, as in PyTorch. */
export const reduceMaxOp: OpDef = {
  type: 'ReduceMax',
  inputs: ['data', 'axes?'],
  outputs: ['reduced'],
  attributes: { keepdims: 'int' },
  infer: inferReduce,
  gradient: {
    emit: (g, [dY], [x], node) => ({
      data: () => {
        const axes = reducedAxes(node.inputs);
        const keep = node.attrs.keepdims === 0;
        const y = keep ? g.unsqueeze(node.outputs[0], axes) : node.outputs[0];
        const d = keep ? g.unsqueeze(dY!, axes) : dY!;
        const isMax = g.cast(g.equal(x!, y), x!.dtype);
        const ties = g.reduceSum(isMax, axes, true);
        return g.mul(isMax, g.div(d, ties));
      },
    }),
  },
};
