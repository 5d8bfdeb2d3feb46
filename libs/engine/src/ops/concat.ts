import { Dim, dimEquals, formatShape, isStatic } from '../dims';
import type { Value } from '../graph';
import { OpDef } from '../op-def';
import { axisOf, intAttr } from './infer';

export const concatOp: OpDef = {
  type: 'Concat',
  inputs: ['inputs...'],
  outputs: ['concat_result'],
  attributes: { axis: 'int' },
  infer(inputs, attrs) {
    const xs = inputs.map((v) => v!);
    const rank = xs[0].shape.length;
    const axis = axisOf(intAttr(attrs, 'axis', 0), rank);
    let total: Dim = 0;
    xs.forEach((x, i) => {
      if (x.dtype !== xs[0].dtype) throw new Error(`input ${i} is ${x.dtype}, input 0 is ${xs[0].dtype}`);
      if (x.shape.length !== rank || x.shape.some((d, j) => j !== axis && !dimEquals(d, xs[0].shape[j]))) {
        throw new Error(`input ${i} of shape ${formatShape(x.shape)} does not match input 0 ${formatShape(xs[0].shape)} outside axis ${axis}`);
      }
      const d = x.shape[axis];
      if (!isStatic(d) || !isStatic(total)) throw new Error(`cannot concatenate along axis ${axis} with symbolic size ${d}`);
      total += d;
    });
    const shape = [...xs[0].shape];
    shape[axis] = total;
    const known = rank === 1 && xs.every((x) => x.known) ? xs.flatMap((x) => x.known!) : undefined;
    return [{ dtype: xs[0].dtype, shape, known }];
  },
  gradient: {
    emit: (g, [dY], inputs, node) => {
      const axis = axisOf(intAttr(node.attrs, 'axis', 0), dY!.rank);
      const out: Record<string, () => Value> = {};
      let offset = 0;
      inputs.forEach((x, i) => {
        const start = offset;
        const size = x!.shape[axis] as number;
        offset += size;
        out[String(i)] = () => g.slice(dY!, [start], [start + size], [axis]);
      });
      return out;
    },
  },
};
