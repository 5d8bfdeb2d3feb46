import { Dim, isStatic } from '../dims';
import { OpDef, ValueInfo } from '../op-def';
import { axisOf, knownInts, need } from './infer';

const END = 2 ** 62;

interface SliceSpec {
  axis: number;
  start: number;
  end: number;
  step: number;
}

/** Normalized per-axis slices of a Slice node's constant inputs. */
export function sliceSpecs(inputs: readonly (ValueInfo | null)[]): SliceSpec[] {
  const x = need(inputs, 0, 'data');
  const starts = knownInts(inputs[1], 'starts');
  const ends = knownInts(inputs[2], 'ends');
  const axes = inputs[3] ? knownInts(inputs[3], 'axes') : starts.map((_, i) => i);
  const steps = inputs[4] ? knownInts(inputs[4], 'steps') : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new Error('starts, ends, axes and steps must have the same length');
  }
  return starts.map((s, i) => {
    const axis = axisOf(axes[i], x.shape.length);
    if (steps[i] === 0) throw new Error('a step of 0 is invalid');
    const dim = x.shape[axis];
    if (!isStatic(dim)) {
      if (s < 0 || ends[i] < 0 || steps[i] !== 1) throw new Error(`axis ${axis} has symbolic size ${dim}: only non-negative starts and ends with step 1 can be sliced`);
      return { axis, start: s, end: Math.min(ends[i], END), step: 1 };
    }
    const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + dim : v));
    if (steps[i] > 0) return { axis, start: clamp(s, 0, dim), end: clamp(ends[i], 0, dim), step: steps[i] };
    // Stepping backwards, a start before the first element clamps to it, an end to just before it (ONNX Slice-13).
    return { axis, start: clamp(s, 0, dim - 1), end: clamp(ends[i], -1, dim - 1), step: steps[i] };
  });
}

export const sliceOp: OpDef = {
  type: 'Slice',
  inputs: ['data', 'starts', 'ends', 'axes?', 'steps?'],
  outputs: ['output'],
  infer(inputs) {
    const x = need(inputs, 0, 'data');
    const shape: Dim[] = [...x.shape];
    for (const { axis, start, end, step } of sliceSpecs(inputs)) {
      const dim = x.shape[axis];
      if (!isStatic(dim)) {
        if (end >= END && start === 0) continue;
        if (end >= END) throw new Error(`axis ${axis} has symbolic size ${dim}: slicing from ${start} to the end has no static size`);
        shape[axis] = end - start; // assumes the symbolic size is at least `end`
      } else {
        shape[axis] = Math.max(0, Math.ceil((end - start) / step));
      }
    }
    let known;
    if (x.known && x.shape.length === 1) {
      const [spec] = sliceSpecs(inputs);
      if (spec.step === 1) known = x.known.slice(spec.start, spec.end);
    }
    return [{ dtype: x.dtype, shape, known }];
  },
  gradient: {
    emit: (g, [dY], [x], node) => ({
      // The slice's gradient is dY padded with zeros back to the input's extent.
      data: () => {
        const pads = new Array<number>(2 * x!.rank).fill(0);
        for (const { axis, start, end, step } of sliceSpecs(node.inputs)) {
          const dim = x!.shape[axis];
          if (step !== 1 || !isStatic(dim)) throw new Error(`node '${node.name}': the gradient of Slice needs step 1 and a static size on axis ${axis}`);
          pads[axis] = start;
          pads[x!.rank + axis] = dim - Math.max(start, end);
        }
        return g.pad(dY!, pads);
      },
    }),
  },
};
