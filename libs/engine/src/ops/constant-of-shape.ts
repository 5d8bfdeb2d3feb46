import { OpDef } from '../op-def';
import { Tensor } from '../tensor';
import { need } from './infer';

export const constantOfShapeOp: OpDef = {
  type: 'ConstantOfShape',
  inputs: ['input'],
  outputs: ['output'],
  attributes: { value: 'tensor' },
  infer(inputs, attrs) {
    const shape = need(inputs, 0, 'input');
    if (!shape.known) throw new Error("input 'input' (the shape) must be known when the graph is built");
    const value = attrs.value as Tensor | undefined;
    return [{ dtype: value?.dtype ?? 'float32', shape: shape.known }];
  },
  gradient: null,
  reason: 'its only input is an integer shape',
};
