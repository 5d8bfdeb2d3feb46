import { broadcastShapes, Dim } from '../dims';
import { OpDef } from '../op-def';

/** Variadic broadcasting sum; autodiff uses it to accumulate fan-out gradients in one node. */
export const sumOp: OpDef = {
  type: 'Sum',
  inputs: ['data_0...'],
  outputs: ['sum'],
  infer(inputs) {
    const xs = inputs.map((v) => v!);
    let shape: Dim[] = [...xs[0].shape];
    for (const [i, x] of xs.entries()) {
      if (x.dtype !== xs[0].dtype) throw new Error(`input ${i} is ${x.dtype}, input 0 is ${xs[0].dtype}`);
      const b = broadcastShapes(shape, x.shape);
      if (typeof b === 'string') throw new Error(b);
      shape = b;
    }
    return [{ dtype: xs[0].dtype, shape }];
  },
  gradient: {
    emit: (g, [dY], inputs) => Object.fromEntries(inputs.map((x, i) => [String(i), () => g.sumToShape(dY!, x!.shape)])),
  },
};
