import { OpDef } from '../op-def';
import { need } from './infer';

/** The runtime shape as int64; its contents are known (possibly symbolically) at build time. */
export const shapeOp: OpDef = {
  type: 'Shape',
  inputs: ['data'],
  outputs: ['shape'],
  infer: (inputs) => {
    const x = need(inputs, 0, 'data');
    return [{ dtype: 'int64', shape: [x.shape.length], known: x.shape }];
  },
  gradient: null,
  reason: 'its output is an integer',
};
