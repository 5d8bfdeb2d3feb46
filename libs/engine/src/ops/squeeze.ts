import { OpDef } from '../op-def';
import { axisOf, knownInts, need } from './infer';

export const squeezeOp: OpDef = {
  type: 'Squeeze',
  inputs: ['data', 'axes?'],
  outputs: ['squeezed'],
  infer(inputs) {
    const x = need(inputs, 0, 'data');
    const r = x.shape.length;
    const axes = inputs[1] ? knownInts(inputs[1], 'axes').map((a) => axisOf(a, r)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of axes) if (x.shape[a] !== 1) throw new Error(`axis ${a} has size ${x.shape[a]}, not 1`);
    const known = x.known && x.shape.length === 1 && axes.length === 1 ? x.known : undefined;
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)), known }];
  },
  gradient: { emit: (g, [dY], [x]) => ({ data: () => g.reshape(dY!, x!.shape) }) },
};
