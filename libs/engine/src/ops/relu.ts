import { OpDef } from '../op-def';
import { need, requireFloat } from './infer';

export const reluOp: OpDef = {
  type: 'Relu',
  inputs: ['X'],
  outputs: ['Y'],
  infer(inputs) {
    const x = need(inputs, 0, 'X');
    requireFloat(x, 'X');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  gradient: { emit: (g, [dY], [x]) => ({ X: () => g.where(g.greater(x!, 0), dY!, 0) }) },
};
