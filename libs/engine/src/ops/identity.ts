import { OpDef } from '../op-def';
import { need } from './infer';

/** Identity; also the node behind `stopGradient`, which autodiff does not cross. */
export const identityOp: OpDef = {
  type: 'Identity',
  inputs: ['input'],
  outputs: ['output'],
  infer: (inputs) => {
    const x = need(inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: x.shape, known: x.known }];
  },
  gradient: { emit: (_g, [dY]) => ({ input: () => dY! }) },
};
