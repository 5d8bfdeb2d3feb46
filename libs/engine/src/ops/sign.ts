import { OpDef } from '../op-def';
import { need } from './infer';

export const signOp: OpDef = {
  type: 'Sign',
  inputs: ['X'],
  outputs: ['Y'],
  infer: (inputs) => [{ dtype: need(inputs, 0, 'X').dtype, shape: need(inputs, 0, 'X').shape }],
  gradient: null,
  reason: 'sign is piecewise constant: its gradient is zero almost everywhere',
};
