import { Dim, dimEquals, formatShape } from '../dims';
import type { Value } from '../graph';
import { ONNX_DTYPE_CODE } from '../dtype';
import { Builder, OpDef, ValueInfo } from '../op-def';
import { axisOf, intAttr, need, requireFloat } from './infer';

function normalizedAxes(x: Value, axis: number): number[] {
  const first = axisOf(axis, x.rank);
  return Array.from({ length: x.rank - first }, (_, i) => first + i);
}

/** Mean and 1/σ over the normalized axes, from the node's extra outputs or recomputed. */
function statistics(g: Builder, x: Value, outputs: readonly Value[], axes: number[], epsilon: number): [Value, Value] {
  // The outputs are float32 whatever X's type; for float64 they would cost the gradient its precision.
  if (outputs.length === 3 && outputs[1].dtype === x.dtype) return [outputs[1], outputs[2]];
  const mean = g.reduceMean(x, axes, true);
  const centered = g.sub(x, mean);
  const variance = g.reduceMean(g.mul(centered, centered), axes, true);
  return [mean, g.reciprocal(g.sqrt(g.add(variance, epsilon)))];
}

/**
 * LayerNormalization (opset 17) over the axes from `axis` to the last; outputs Y and,
 * optionally, the mean and inverse standard deviation that the gradient reuses. Those two
 * have the type `stash_type` names, float32 (ONNX Runtime implements no other), even when
 * X is float64.
 */
export const layerNormalizationOp: OpDef = {
  type: 'LayerNormalization',
  inputs: ['X', 'Scale', 'B?'],
  outputs: ['Y', 'Mean?', 'InvStdDev?'],
  attributes: { axis: 'int', epsilon: 'float', stash_type: 'int' },
  infer(inputs, attrs, outputCount) {
    const x = need(inputs, 0, 'X');
    requireFloat(x, 'X');
    const axis = axisOf(intAttr(attrs, 'axis', -1), x.shape.length);
    const stash = intAttr(attrs, 'stash_type', ONNX_DTYPE_CODE.float32);
    if (stash !== ONNX_DTYPE_CODE.float32) {
      throw new Error(`attribute 'stash_type' must be ${ONNX_DTYPE_CODE.float32} (float32), the only type ONNX Runtime implements, got ${stash}`);
    }
    const normalized = x.shape.slice(axis);
    for (const [i, name] of [[1, 'Scale'], [2, 'B']] as const) {
      const p = inputs[i];
      if (!p) continue;
      if (p.dtype !== x.dtype) throw new Error(`input '${name}' must be ${x.dtype}, got ${p.dtype}`);
      const tail = normalized.slice(normalized.length - p.shape.length);
      if (p.shape.length > normalized.length || !p.shape.every((d, j) => d === 1 || dimEquals(d, tail[j]))) {
        throw new Error(`input '${name}' of shape ${formatShape(p.shape)} does not match the normalized shape ${formatShape(normalized)}`);
      }
    }
    const statShape: Dim[] = [...x.shape.slice(0, axis), ...normalized.map(() => 1)];
    const out: ValueInfo[] = [{ dtype: x.dtype, shape: x.shape }];
    for (let i = 1; i < outputCount; i++) out.push({ dtype: 'float32', shape: statShape });
    return out;
  },
  gradient: {
    emit: (g, [dY], [x, scale, bias], node) => {
      const axes = normalizedAxes(x!, intAttr(node.attrs, 'axis', -1));
      const epsilon = (node.attrs.epsilon as number | undefined) ?? 1e-5;
      let xhatMemo: Value | undefined;
      let invMemo: Value | undefined;
      const xhat = (): Value => {
        if (!xhatMemo) {
          const [mean, inv] = statistics(g, x!, node.outputs, axes, epsilon);
          invMemo = inv;
          xhatMemo = g.mul(g.sub(x!, mean), inv);
        }
        return xhatMemo;
      };
      return {
        // dX = σ⁻¹ (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)), dx̂ = dY ⊙ scale
        X: () => {
          const xh = xhat();
          const dxhat = g.mul(dY!, scale!);
          const term = g.add(g.reduceMean(dxhat, axes, true), g.mul(xh, g.reduceMean(g.mul(dxhat, xh), axes, true)));
          return g.mul(invMemo!, g.sub(dxhat, term));
        },
        Scale: () => g.sumToShape(g.mul(dY!, xhat()), scale!.shape),
        ...(bias ? { B: () => g.sumToShape(dY!, bias.shape) } : {}),
      };
    },
  },
};
