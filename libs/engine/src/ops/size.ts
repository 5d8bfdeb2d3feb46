import { OpDef } from '../op-def';
import { need } from './infer';

/** Number of elements, as an int64 scalar. */
export const sizeOp: OpDef = {
  type: 'Size',
  inputs: ['data'],
  outputs: ['size'],
  infer: (inputs) => {
    need(inputs, 0, 'data');
    return [{ dtype: 'int64', shape: [] }];
  },
  gradient: null,
  reason: 'its output is an integer',
};
