import { OpDef } from '../op-def';
import { inferAlongAxis, intAttr } from './infer';

export const softmaxOp: OpDef = {
  type: 'Softmax',
  inputs: ['input'],
  outputs: ['output'],
  attributes: { axis: 'int' },
  infer: inferAlongAxis,
  gradient: {
    // dX = Y ⊙ (dY − Σ(dY ⊙ Y))
    emit: (g, [dY], _x, node) => ({
      input: () => {
        const y = node.outputs[0];
        const axis = intAttr(node.attrs, 'axis', -1);
        return g.mul(y, g.sub(dY!, g.reduceSum(g.mul(dY!, y), [axis], true)));
      },
    }),
  },
};
