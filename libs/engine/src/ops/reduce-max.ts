import { OpDef } from '../op-def';
import { inferReduce, reducedAxes } from './reduce';

/** Max over axes; the gradient goes to every element equal to the maximum. */
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
        return g.where(g.equal(x!, y), g.expand(d, x!.shape), 0);
      },
    }),
  },
};
