/**
 * @module ops/elementwise
 * Builders of elementwise operator definitions: binary ops broadcast NumPy-style, and
 * their gradients sum back over the broadcast axes.
 */
import { dimMul } from '../dims';
import { Builder, GradientDef, OpDef, ValueInfo } from '../op-def';
import type { Value } from '../graph';
import { broadcast, need, requireFloat, sameDtype } from './infer';

type BinaryGrad = (g: Builder, dY: Value, a: Value, b: Value, y: Value) => { A?: () => Value; B?: () => Value };

/** A broadcasting binary arithmetic op; the gradient's thunks get the unreduced gradient. */
export function binaryArithmetic(type: string, grad: BinaryGrad | null, reason?: string): OpDef {
  const gradient: GradientDef | null = grad && {
    emit(g, [dY], [a, b], node) {
      const raw = grad(g, dY!, a!, b!, node.outputs[0]);
      const out: Record<string, () => Value> = {};
      if (raw.A) out.A = () => g.sumToShape(raw.A!(), a!.shape);
      if (raw.B) out.B = () => g.sumToShape(raw.B!(), b!.shape);
      return out;
    },
  };
  return {
    type,
    inputs: ['A', 'B'],
    outputs: ['C'],
    infer(inputs) {
      const { a, b, dtype, shape } = inferBinary(inputs);
      return [{ dtype, shape, known: propagate(type, a, b) }];
    },
    gradient,
    reason,
  };
}

/** Two inputs A and B of one element type, broadcast together. */
function inferBinary(inputs: readonly (ValueInfo | null)[]) {
  const a = need(inputs, 0, 'A');
  const b = need(inputs, 1, 'B');
  return { a, b, dtype: sameDtype(a, b, 'A and B'), shape: broadcast(a, b) };
}

// Integer arithmetic on shape tensors stays symbolic, so reshapes after it still infer.
function propagate(type: string, a: ValueInfo, b: ValueInfo) {
  if (type !== 'Mul' || !a.known || !b.known) return undefined;
  if (a.known.length !== b.known.length && a.known.length !== 1 && b.known.length !== 1) return undefined;
  const n = Math.max(a.known.length, b.known.length);
  return Array.from({ length: n }, (_, i) => dimMul(a.known![a.known!.length === 1 ? 0 : i], b.known![b.known!.length === 1 ? 0 : i]));
}

/** A broadcasting comparison producing bool; no gradient (piecewise constant). */
export function comparison(type: string): OpDef {
  return {
    type,
    inputs: ['A', 'B'],
    outputs: ['C'],
    infer: (inputs) => [{ dtype: 'bool', shape: inferBinary(inputs).shape }],
    gradient: null,
    reason: 'a comparison is piecewise constant: its gradient is zero almost everywhere',
  };
}

/** A float elementwise unary op whose gradient is dY times a local derivative. */
export function unaryFloat(type: string, derivative: (g: Builder, x: Value, y: Value) => Value, attributes?: OpDef['attributes']): OpDef {
  return {
    type,
    inputs: ['X'],
    outputs: ['Y'],
    attributes,
    infer(inputs) {
      const x = need(inputs, 0, 'X');
      requireFloat(x, 'X');
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    gradient: {
      emit: (g, [dY], [x], node) => ({ X: () => g.mul(dY!, derivative(g, x!, node.outputs[0])) }),
    },
  };
}
