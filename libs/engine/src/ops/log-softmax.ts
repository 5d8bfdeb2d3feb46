import { OpDef } from '../op-def';
import { axisOf, intAttr, need, requireFloat } from './infer';

export const logSoftmaxOp: OpDef = {
  type: 'LogSoftmax',
  inputs: ['input'],
  outputs: ['output'],
  attributes: { axis: 'int' },
  infer(inputs, attrs) {
    const x = need(inputs, 0, 'input');
    requireFloat(x, 'input');
    axisOf(intAttr(attrs, 'axis', -1), x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
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
