import { broadcastShapes } from '../dims';
import { OpDef } from '../op-def';
import { need, sameDtype } from './infer';

export const whereOp: OpDef = {
  type: 'Where',
  inputs: ['condition', 'X', 'Y'],
  outputs: ['output'],
  infer(inputs) {
    const c = need(inputs, 0, 'condition');
    const x = need(inputs, 1, 'X');
    const y = need(inputs, 2, 'Y');
    if (c.dtype !== 'bool') throw new Error(`input 'condition' must be bool, got ${c.dtype}`);
    const dtype = sameDtype(x, y, 'X and Y');
    const xy = broadcastShapes(x.shape, y.shape);
    if (typeof xy === 'string') throw new Error(xy);
    const shape = broadcastShapes(c.shape, xy);
    if (typeof shape === 'string') throw new Error(shape);
    return [{ dtype, shape }];
  },
  gradient: {
    emit: (g, [dY], [c, x, y]) => ({
      X: () => g.sumToShape(g.where(c!, dY!, 0), x!.shape),
      Y: () => g.sumToShape(g.where(c!, 0, dY!), y!.shape),
    }),
  },
};
