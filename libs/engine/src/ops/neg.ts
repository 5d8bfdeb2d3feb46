import { OpDef } from '../op-def';
import { need } from './infer';

export const negOp: OpDef = {
  type: 'Neg',
  inputs: ['X'],
  outputs: ['Y'],
  infer: (inputs) => [{ dtype: need(inputs, 0, 'X').dtype, shape: need(inputs, 0, 'X').shape }],
  gradient: { emit: (g, [dY]) => ({ X: () => g.neg(dY!) }) },
};
