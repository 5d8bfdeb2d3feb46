import { Dim } from '../dims';
import { OpDef } from '../op-def';
import { axisOf, knownInts, need } from './infer';

export const unsqueezeOp: OpDef = {
  type: 'Unsqueeze',
  inputs: ['data', 'axes'],
  outputs: ['expanded'],
  infer(inputs) {
    const x = need(inputs, 0, 'data');
    const r = x.shape.length + knownInts(inputs[1], 'axes').length;
    const axes = knownInts(inputs[1], 'axes').map((a) => axisOf(a, r));
    if (new Set(axes).size !== axes.length) throw new Error(`axes [${axes.join(', ')}] repeat an axis`);
    const shape: Dim[] = [];
    let j = 0;
    for (let i = 0; i < r; i++) shape.push(axes.includes(i) ? 1 : x.shape[j++]);
    return [{ dtype: x.dtype, shape, known: x.shape.length === 0 ? x.known : undefined }];
  },
  gradient: { emit: (g, [dY], [x]) => ({ data: () => g.reshape(dY!, x!.shape) }) },
};
