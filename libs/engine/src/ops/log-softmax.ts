import { OpDef } from '../op-def';
import { inferAlongAxis, intAttr } from './infer';

export const logSoftmaxOp: OpDef = {
  type: 'LogSoftmax',
  inputs: ['input'],
  outputs: ['output'],
  attributes: { axis: 'int' },
  infer: inferAlongAxis,
  gradient: {
    // dX = dY − softmax(X) ⊙ ΣdY
    emit: (g, [dY], _x, node) => ({
      input: () => {
        const axis = intAttr(node.attrs, 'axis', -1);
        return g.sub(dY!, g.mul(g.exp(node.outputs[0]), g.reduceSum(dY!, [axis], true)));
      },
    }),
  },
};
