/**
 * @module ops/infer
 * Shape-inference helpers shared by operator definitions. They throw plain Errors whose
 * message the graph prefixes with the node's name.
 */
import { broadcastShapes, Dim } from '../dims';
import { DType, isFloat } from '../dtype';
import { Attrs, ValueInfo } from '../op-def';

export function need(inputs: readonly (ValueInfo | null)[], i: number, name: string): ValueInfo {
  const v = inputs[i];
  if (!v) throw new Error(`input '${name}' is required`);
  return v;
}

export function requireFloat(v: ValueInfo, name: string): void {
  if (!isFloat(v.dtype)) throw new Error(`input '${name}' must be float32 or float64, got ${v.dtype}`);
}

export function requireInt(v: ValueInfo, name: string): void {
  if (v.dtype !== 'int64' && v.dtype !== 'int32') throw new Error(`input '${name}' must be int64 or int32, got ${v.dtype}`);
}

export function sameDtype(a: ValueInfo, b: ValueInfo, names: string): DType {
  if (a.dtype !== b.dtype) throw new Error(`inputs ${names} must have the same element type, got ${a.dtype} and ${b.dtype}`);
  return a.dtype;
}

export function broadcast(a: ValueInfo, b: ValueInfo): Dim[] {
  const out = broadcastShapes(a.shape, b.shape);
  if (typeof out === 'string') throw new Error(out);
  return out;
}

/** Resolves a possibly negative axis against `rank`, rejecting out-of-range values. */
export function axisOf(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

export function intAttr(attrs: Attrs, key: string, fallback: number): number {
  const v = attrs[key];
  return typeof v === 'number' ? v : fallback;
}

/** The build-time contents of an integer input (axes, starts, shapes), or an error. */
export function knownInts(v: ValueInfo | null, name: string): number[] {
  if (!v || !v.known || v.known.some((d) => typeof d !== 'number')) {
    throw new Error(`input '${name}' must be a constant known when the graph is built`);
  }
  return v.known as number[];
}

/** A float op along one axis attribute (Softmax, LogSoftmax): the output has the input's type and shape. */
export function inferAlongAxis(inputs: readonly (ValueInfo | null)[], attrs: Attrs): ValueInfo[] {
  const x = need(inputs, 0, 'input');
  requireFloat(x, 'input');
  axisOf(intAttr(attrs, 'axis', -1), x.shape.length);
  return [{ dtype: x.dtype, shape: x.shape }];
}
