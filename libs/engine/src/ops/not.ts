import { OpDef } from '../op-def';
import { need } from './infer';

export const notOp: OpDef = {
  type: 'Not',
  inputs: ['X'],
  outputs: ['Y'],
  infer(inputs) {
    const x = need(inputs, 0, 'X');
    if (x.dtype !== 'bool') throw new Error(`input 'X' must be bool, got ${x.dtype}`);
    return [{ dtype: 'bool', shape: x.shape }];
  },
  gradient: null,
  reason: 'logical operators have no gradient',
};
