import { OpDef } from '../op-def';
import { need, requireInt, sameDtype } from './infer';

export const scatterNDOp: OpDef = {
  type: 'ScatterND',
  inputs: ['data', 'indices', 'updates'],
  outputs: ['output'],
  attributes: { reduction: 'string' },
  infer(inputs) {
    const data = need(inputs, 0, 'data');
    requireInt(need(inputs, 1, 'indices'), 'indices');
    sameDtype(data, need(inputs, 2, 'updates'), 'data and updates');
    return [{ dtype: data.dtype, shape: data.shape }];
  },
  gradient: null,
  reason: 'ScatterND is emitted by the gradient of Gather only',
};
