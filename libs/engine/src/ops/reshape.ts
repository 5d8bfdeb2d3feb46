import { Dim, dimDiv, dimEquals, formatShape, normalizeDim, shapeSize } from '../dims';
import { OpDef } from '../op-def';
import { need } from './infer';

export const reshapeOp: OpDef = {
  type: 'Reshape',
  inputs: ['data', 'shape'],
  outputs: ['reshaped'],
  infer(inputs) {
    const x = need(inputs, 0, 'data');
    const target = need(inputs, 1, 'shape');
    if (!target.known) throw new Error("input 'shape' must be known when the graph is built (a constant or derived from shapes)");
    const dims: (Dim | undefined)[] = target.known.map((d, i) => {
      if (d === 0) {
        if (i >= x.shape.length) throw new Error(`shape entry ${i} is 0 (copy) but the input has rank ${x.shape.length}`);
        return x.shape[i];
      }
      return d === -1 ? undefined : d;
    });
    const inferred = dims.filter((d) => d === undefined).length;
    if (inferred > 1) throw new Error('at most one shape entry may be -1');
    const total = shapeSize(x.shape);
    const known = shapeSize(dims.filter((d): d is Dim => d !== undefined));
    let out: Dim[];
    if (inferred === 1) {
      const rest = dimDiv(total, known);
      if (rest === undefined) throw new Error(`cannot reshape ${formatShape(x.shape)} to [${target.known.join(', ')}]: ${total} elements do not divide by ${known}`);
      out = dims.map((d) => d ?? rest);
    } else {
      out = dims as Dim[];
      if (!dimEquals(known, total)) {
        throw new Error(`cannot reshape ${formatShape(x.shape)} (${total} elements) to ${formatShape(out)} (${known} elements)`);
      }
    }
    return [{ dtype: x.dtype, shape: out.map(normalizeDim), known: x.shape.length <= 1 ? x.known : undefined }];
  },
  gradient: { emit: (g, [dY], [x]) => ({ data: () => g.reshape(dY!, x!.shape) }) },
};
