import { OpDef } from '../op-def';
import { inferReduce, reducedAxes } from './reduce';

export const reduceSumOp: OpDef = {
  type: 'ReduceSum',
  inputs: ['data', 'axes?'],
  outputs: ['reduced'],
  attributes: { keepdims: 'int' },
  infer: inferReduce,
  gradient: {
    emit: (g, [dY], [x], node) => ({
      data: () => {
        const kept = node.attrs.keepdims === 0 ? g.unsqueeze(dY!, reducedAxes(node.inputs)) : dY!;
        return g.expand(kept, x!.shape);
      },
    }),
  },
};
