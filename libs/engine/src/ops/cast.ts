import { DType, isFloat, ONNX_DTYPE_CODE } from '../dtype';
import type { Value } from '../graph';
import { OpDef } from '../op-def';
import { need } from './infer';

const BY_CODE = new Map(Object.entries(ONNX_DTYPE_CODE).map(([k, v]) => [v, k as DType]));

export const castOp: OpDef = {
  type: 'Cast',
  inputs: ['input'],
  outputs: ['output'],
  attributes: { to: 'int' },
  infer(inputs, attrs) {
    const x = need(inputs, 0, 'input');
    const dtype = BY_CODE.get(attrs.to as number);
    if (!dtype) throw new Error(`attribute 'to' = ${String(attrs.to)} is not a supported element type`);
    return [{ dtype, shape: x.shape, known: dtype === 'int64' || dtype === 'int32' ? x.known : undefined }];
  },
  // Only a float-to-float cast carries a gradient; autodiff never asks for an integer input's.
  gradient: {
    emit: (g, [dY], [x]): Record<string, () => Value> => (isFloat(x!.dtype) ? { input: () => g.cast(dY!, x!.dtype) } : {}),
  },
};
