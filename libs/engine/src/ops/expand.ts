import { broadcastShapes } from '../dims';
import { OpDef } from '../op-def';
import { need } from './infer';

export const expandOp: OpDef = {
  type: 'Expand',
  inputs: ['input', 'shape'],
  outputs: ['output'],
  infer(inputs) {
    const x = need(inputs, 0, 'input');
    const target = need(inputs, 1, 'shape');
    if (!target.known) throw new Error("input 'shape' must be known when the graph is built");
    const shape = broadcastShapes(x.shape, target.known);
    if (typeof shape === 'string') throw new Error(shape);
    return [{ dtype: x.dtype, shape }];
  },
  gradient: { emit: (g, [dY], [x]) => ({ input: () => g.sumToShape(dY!, x!.shape) }) },
};
