/**
 * @module op-def
 * The contract of one operator: its ONNX name, inputs, attributes, shape inference and
 * gradient. Forward and gradient live together in one plain object per operator.
 */
import type { Dim, Shape } from './dims';
import type { DType } from './dtype';
import type { Node, Value } from './graph';
import type { Tensor } from './tensor';

/** The graph-building functions, handed to gradients so op files need not import them. */
export type Builder = typeof import('./builder');

export type AttrType = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'tensor';
export type AttrValue = number | string | readonly number[] | Tensor;
export type Attrs = Readonly<Record<string, AttrValue>>;

/** What shape inference knows about a value. */
export interface ValueInfo {
  readonly dtype: DType;
  readonly shape: Shape;
  /**
   * The contents of a small integer tensor when known at build time, possibly symbolic
   * (for example the output of `Shape`). Lets `Reshape` and `Expand` infer their output.
   */
  readonly known?: readonly Dim[];
}

/**
 * Gradient of one operator. `emit` returns one lazy thunk per differentiable input,
 * keyed by the input's name in `OpDef.inputs`; autodiff calls only the thunks whose
 * input needs a gradient. `dOutputs[i]` is undefined when output i does not reach the loss.
 */
export interface GradientDef {
  emit(
    g: Builder,
    dOutputs: readonly (Value | undefined)[],
    inputs: readonly (Value | null)[],
    node: Node,
  ): Readonly<Record<string, () => Value>>;
}

export interface OpDef {
  /** The ONNX op type, spelled as ONNX spells it. */
  readonly type: string;
  /** Input names in ONNX order; a trailing '?' marks an optional input. */
  readonly inputs: readonly string[];
  /** Output names in ONNX order; a trailing '?' marks an optional output. */
  readonly outputs: readonly string[];
  /** Declared attributes and their types; any other attribute is rejected. */
  readonly attributes?: Readonly<Record<string, AttrType>>;
  /** Infers each output's type and shape, throwing an Error whose message says what is wrong. */
  infer(inputs: readonly (ValueInfo | null)[], attrs: Attrs, outputCount: number): ValueInfo[];
  /** How to differentiate it, or null with a `reason`. */
  readonly gradient: GradientDef | null;
  readonly reason?: string;
}
