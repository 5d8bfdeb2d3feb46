import { OpDef } from '../op-def';
import { knownInts, need } from './infer';

/** Constant zero padding (opset 18 Pad, mode 'constant', non-negative pads). */
export const padOp: OpDef = {
  type: 'Pad',
  inputs: ['data', 'pads'],
  outputs: ['output'],
  attributes: { mode: 'string' },
  infer(inputs, attrs) {
    const x = need(inputs, 0, 'data');
    const pads = knownInts(inputs[1], 'pads');
    const r = x.shape.length;
    if ((attrs.mode ?? 'constant') !== 'constant') throw new Error("only mode 'constant' is supported");
    if (pads.length !== 2 * r || pads.some((p) => p < 0)) throw new Error(`pads must be ${2 * r} non-negative integers, got [${pads.join(', ')}]`);
    const shape = x.shape.map((d, i) => {
      if (pads[i] === 0 && pads[r + i] === 0) return d;
      if (typeof d !== 'number') throw new Error(`axis ${i} has symbolic size ${d} and cannot be padded`);
      return d + pads[i] + pads[r + i];
    });
    return [{ dtype: x.dtype, shape }];
  },
  gradient: {
    emit: (g, [dY], [x], node) => ({
      data: () => {
        const pads = knownInts(node.inputs[1], 'pads');
        const axes = x!.shape.map((_, i) => i);
        return g.slice(dY!, axes.map((i) => pads[i]), axes.map((i) => pads[i] + (x!.shape[i] as number)), axes);
      },
    }),
  },
};
