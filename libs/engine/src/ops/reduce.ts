/**
 * @module ops/reduce
 * Shared shape inference of the reductions (axes as an optional int64 input, opset 18).
 */
import { Dim } from '../dims';
import { Attrs, ValueInfo } from '../op-def';
import { axisOf, intAttr, knownInts, need } from './infer';

export function reducedAxes(inputs: readonly (ValueInfo | null)[]): number[] {
  const x = need(inputs, 0, 'data');
  const axes = inputs[1] ? knownInts(inputs[1], 'axes') : [];
  // An empty axes list reduces every axis, as a missing one does (noop_with_empty_axes is 0).
  if (axes.length === 0) return x.shape.map((_, i) => i);
  return axes.map((a) => axisOf(a, x.shape.length));
}

export function inferReduce(inputs: readonly (ValueInfo | null)[], attrs: Attrs): ValueInfo[] {
  const x = need(inputs, 0, 'data');
  const axes = new Set(reducedAxes(inputs));
  const keep = intAttr(attrs, 'keepdims', 1) !== 0;
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
}
