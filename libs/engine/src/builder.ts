/**
 * @module builder
 * Functions that add operator nodes to a graph, one per operator, in the style of
 * PyTorch's functional API: `matmul(x, w)`, `add(h, 1)`. A plain number next to a value
 * becomes a constant of that value's element type. Gradients are written with the same
 * functions, passed to each op's gradient as `g`.
 */
import { Dim, dimEquals, isStatic, Shape, shapeSize } from './dims';
import { DType, isFloat, ONNX_DTYPE_CODE } from './dtype';
import { GraphBuildError } from './errors';
import { Graph, GradientRegion, Value } from './graph';
import { Tensor } from './tensor';

export type Operand = Value | number;

function graphOf(...operands: Operand[]): Graph {
  const v = operands.find((o): o is Value => o instanceof Value);
  if (!v) throw new GraphBuildError('at least one operand must be a graph value, not only numbers');
  return v.graph;
}

function asValue(x: Operand, like: Value): Value {
  return x instanceof Value ? x : scalar(like.graph, x, like.dtype);
}

function unary(type: string, x: Value, attrs = {}): Value {
  return x.graph.op(type, [x], attrs)[0];
}

function binary(type: string, a: Operand, b: Operand): Value {
  const g = graphOf(a, b);
  const like = (a instanceof Value ? a : b) as Value;
  return g.op(type, [asValue(a, like), asValue(b, like)])[0];
}

/** An int64 1-D constant. */
function ints(g: Graph, values: readonly number[]): Value {
  return g.constant(Tensor.from('int64', [values.length], values));
}

// --- constants -----------------------------------------------------------------------

/** A 0-d constant of the given type (shared per graph). */
export function scalar(g: Graph, value: number, dtype: DType = 'float32'): Value {
  return g.constant(Tensor.scalar(dtype, dtype === 'int64' ? BigInt(value) : value));
}

/** A constant tensor (an ONNX initializer) in graph g. */
export function constant(g: Graph, tensor: Tensor): Value {
  return g.constant(tensor);
}

// --- elementwise ---------------------------------------------------------------------

/** a + b, broadcasting NumPy-style. */
export const add = (a: Operand, b: Operand): Value => binary('Add', a, b);
/** a − b, broadcasting. */
export const sub = (a: Operand, b: Operand): Value => binary('Sub', a, b);
/** a · b elementwise, broadcasting. */
export const mul = (a: Operand, b: Operand): Value => binary('Mul', a, b);
/** a / b elementwise, broadcasting. */
export const div = (a: Operand, b: Operand): Value => binary('Div', a, b);
/** a raised to b elementwise, broadcasting. */
export const pow = (a: Operand, b: Operand): Value => binary('Pow', a, b);
/** a = b elementwise, as bool. */
export const equal = (a: Operand, b: Operand): Value => binary('Equal', a, b);
/** a < b elementwise, as bool. */
export const less = (a: Operand, b: Operand): Value => binary('Less', a, b);
/** a > b elementwise, as bool. */
export const greater = (a: Operand, b: Operand): Value => binary('Greater', a, b);
/** −x. */
export const neg = (x: Value): Value => unary('Neg', x);
/** |x|. */
export const abs = (x: Value): Value => unary('Abs', x);
/** −1, 0 or 1 by the sign of x (no gradient). */
export const sign = (x: Value): Value => unary('Sign', x);
/** √x. */
export const sqrt = (x: Value): Value => unary('Sqrt', x);
/** 1 / x. */
export const reciprocal = (x: Value): Value => unary('Reciprocal', x);
/** eˣ. */
export const exp = (x: Value): Value => unary('Exp', x);
/** Natural logarithm. */
export const log = (x: Value): Value => unary('Log', x);
/** The error function. */
export const erf = (x: Value): Value => unary('Erf', x);
/** Hyperbolic tangent. */
export const tanh = (x: Value): Value => unary('Tanh', x);
/** 1 / (1 + e⁻ˣ). */
export const sigmoid = (x: Value): Value => unary('Sigmoid', x);
/** Cosine. */
export const cos = (x: Value): Value => unary('Cos', x);
/** Sine. */
export const sin = (x: Value): Value => unary('Sin', x);
/** max(x, 0). */
export const relu = (x: Value): Value => unary('Relu', x);
/** Logical not of a bool tensor. */
export const not = (x: Value): Value => unary('Not', x);
/** x itself, as a new value (a differentiable copy). */
export const identity = (x: Value): Value => unary('Identity', x);
/** GELU; `approximate: 'tanh'` for GPT-2's tanh form, 'none' for the exact erf form. */
export const gelu = (x: Value, approximate: 'none' | 'tanh' = 'none'): Value => unary('Gelu', x, { approximate });
/** SiLU (swish): x · sigmoid(x). */
export const silu = (x: Value): Value => mul(x, sigmoid(x));

/** Elementwise select: cond ? a : b. */
export function where(cond: Value, a: Operand, b: Operand): Value {
  const like = (a instanceof Value ? a : b) as Value;
  if (!(like instanceof Value)) return cond.graph.op('Where', [cond, scalar(cond.graph, a as number), scalar(cond.graph, b as number)])[0];
  return cond.graph.op('Where', [cond, asValue(a, like), asValue(b, like)])[0];
}

/** Converts x to another element type. */
export const cast = (x: Value, to: DType): Value => unary('Cast', x, { to: ONNX_DTYPE_CODE[to] });

/** Treats x as a constant for differentiation (the output is x itself). */
export const stopGradient = (x: Value): Value => x.graph.op('Identity', [x], {}, { stopGradient: true })[0];

// --- linear algebra and reductions -----------------------------------------------------

/** Batched matrix product with NumPy broadcasting of the batch dimensions. */
export const matmul = (a: Value, b: Value): Value => a.graph.op('MatMul', [a, b])[0];

/** 2-D product op(A)·op(B), where op transposes when asked. */
export function gemm(a: Value, b: Value, options: { transA?: boolean; transB?: boolean } = {}): Value {
  return a.graph.op('Gemm', [a, b], { transA: options.transA ? 1 : 0, transB: options.transB ? 1 : 0 })[0];
}

/** Variadic elementwise sum with broadcasting. */
export const sum = (values: readonly Value[]): Value => (values.length === 1 ? values[0] : values[0].graph.op('Sum', values)[0]);

/** Number of elements of x, as an int64 scalar. */
export const size = (x: Value): Value => unary('Size', x);

function normalizeAxes(x: Value, axes: readonly number[]): number[] {
  return axes.map((a) => (a < 0 ? a + x.rank : a));
}

/** Sum over `axes` (all axes when omitted or empty, as in ONNX). */
export function reduceSum(x: Value, axes?: readonly number[], keepdims = false): Value {
  const axesInput = axes ? ints(x.graph, normalizeAxes(x, axes)) : null;
  return x.graph.op('ReduceSum', axesInput ? [x, axesInput] : [x], { keepdims: keepdims ? 1 : 0 })[0];
}

/** Mean over `axes` (all axes when omitted or empty). */
export function reduceMean(x: Value, axes?: readonly number[], keepdims = false): Value {
  const axesInput = axes ? ints(x.graph, normalizeAxes(x, axes)) : null;
  return x.graph.op('ReduceMean', axesInput ? [x, axesInput] : [x], { keepdims: keepdims ? 1 : 0 })[0];
}

/** Maximum over `axes` (all axes when omitted or empty). */
export function reduceMax(x: Value, axes?: readonly number[], keepdims = false): Value {
  const axesInput = axes ? ints(x.graph, normalizeAxes(x, axes)) : null;
  return x.graph.op('ReduceMax', axesInput ? [x, axesInput] : [x], { keepdims: keepdims ? 1 : 0 })[0];
}

/** Softmax along `axis`. */
export const softmax = (x: Value, axis = -1): Value => unary('Softmax', x, { axis });
/** log(softmax(x)) along `axis`, computed stably. */
export const logSoftmax = (x: Value, axis = -1): Value => unary('LogSoftmax', x, { axis });

/** LayerNormalization over the trailing axes from `axis`; bias optional. */
export function layerNorm(x: Value, scale: Value, bias: Value | null, epsilon = 1e-5, axis = -1): Value {
  // Mean and 1/σ are kept as extra outputs so the gradient reuses them. ONNX Runtime stores
  // them as float32 only, too coarse for a float64 gradient, which recomputes them instead.
  const outputs = x.dtype === 'float32' ? 3 : 1;
  return x.graph.op('LayerNormalization', bias ? [x, scale, bias] : [x, scale], { axis, epsilon }, { outputs })[0];
}

/**
 * Cross-entropy of `logits` [N, C] against integer `labels` [N], averaged (by default)
 * over the labels that are not `ignoreIndex`. Flatten [B, T, C] logits with `flattenRows`.
 */
export function crossEntropy(
  logits: Value,
  labels: Value,
  options: { ignoreIndex?: number; reduction?: 'mean' | 'sum' | 'none' } = {},
): Value {
  const attrs: Record<string, number | string> = { reduction: options.reduction ?? 'mean' };
  if (options.ignoreIndex !== undefined) attrs.ignore_index = options.ignoreIndex;
  return logits.graph.op('SoftmaxCrossEntropyLoss', [logits, labels], attrs, { outputs: 2 })[0];
}

// --- indexing and shape ----------------------------------------------------------------

/** Rows (or slices along `axis`) of `data` picked by integer `indices`. */
export const gather = (data: Value, indices: Value, axis = 0): Value => data.graph.op('Gather', [data, indices], { axis })[0];

/** Elements of `data` picked along `axis` by `indices` of the same rank (torch.gather). */
export const gatherElements = (data: Value, indices: Value, axis = 0): Value =>
  data.graph.op('GatherElements', [data, indices], { axis })[0];

/** Accumulates (reduction 'add') or writes `updates` into a copy of `data` at index tuples `indices` [..., k]. */
export function scatterND(data: Value, indices: Value, updates: Value, reduction: 'none' | 'add' = 'none'): Value {
  return data.graph.op('ScatterND', [data, indices, updates], { reduction })[0];
}

/** Writes (or with reduction 'add', accumulates) `updates` into a copy of `data` at `indices`. */
export function scatterElements(data: Value, indices: Value, updates: Value, axis = 0, reduction: 'none' | 'add' = 'none'): Value {
  return data.graph.op('ScatterElements', [data, indices, updates], { axis, reduction })[0];
}

/** x[starts:ends:steps] along `axes` (all given as numbers; ends may exceed the size). */
export function slice(x: Value, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): Value {
  const g = x.graph;
  const ins: (Value | null)[] = [x, ints(g, starts), ints(g, ends)];
  if (axes || steps) ins.push(ints(g, normalizeAxes(x, axes ?? starts.map((_, i) => i))));
  if (steps) ins.push(ints(g, steps));
  return g.op('Slice', ins)[0];
}

/** Joins values along `axis`. */
export const concat = (values: readonly Value[], axis: number): Value => {
  if (values.length === 0) throw new GraphBuildError('concat needs at least one value');
  return values[0].graph.op('Concat', values, { axis })[0];
};

/** Splits along `axis` into pieces of the given sizes. */
export function split(x: Value, sizes: readonly number[], axis = 0): Value[] {
  return x.graph.op('Split', [x, ints(x.graph, sizes)], { axis }, { outputs: sizes.length });
}

/** Zero padding: `pads` lists the amounts before each axis, then after each axis. */
export const pad = (x: Value, pads: readonly number[]): Value => x.graph.op('Pad', [x, ints(x.graph, pads)], { mode: 'constant' })[0];

/** Permutes the axes: output axis i is input axis perm[i]. */
export const transpose = (x: Value, perm: readonly number[]): Value => unary('Transpose', x, { perm: [...perm] });

/** Removes the given axes, which must have size 1. */
export const squeeze = (x: Value, axes: readonly number[]): Value => x.graph.op('Squeeze', [x, ints(x.graph, normalizeAxes(x, axes))])[0];

/** Inserts size-1 axes at the given positions of the output. */
export const unsqueeze = (x: Value, axes: readonly number[]): Value => x.graph.op('Unsqueeze', [x, ints(x.graph, axes)])[0];

/** 0, 1, …, n − 1 as an int64 vector; n may be symbolic (the sequence length 'T'). */
export function range(g: Graph, n: Dim): Value {
  const limit = isStatic(n) ? scalar(g, n, 'int64') : squeeze(symbolicDim(g, n), [0]);
  return g.op('Range', [scalar(g, 0, 'int64'), limit, scalar(g, 1, 'int64')])[0];
}

/** The runtime shape of x as an int64 1-D tensor. */
export const shapeOf = (x: Value): Value => x.graph.op('Shape', [x])[0];

/**
 * A runtime int64 1-D tensor holding `dims`. Known sizes become constants; a symbolic
 * size is read from the graph input that declared it. Constant when all are known.
 */
export function shapeTensor(g: Graph, dims: readonly Dim[]): Value {
  if (dims.every(isStatic)) return ints(g, dims as number[]);
  const key = `shape:${dims.join(',')}`;
  let shape = g.memo.get(key);
  if (!shape) {
    shape = concat(dims.map((d) => (isStatic(d) ? ints(g, [d]) : symbolicDim(g, d))), 0);
    g.memo.set(key, shape);
  }
  return shape;
}

function symbolicDim(g: Graph, dim: string): Value {
  const key = `dim:${dim}`;
  const cached = g.memo.get(key);
  if (cached) return cached;
  let value: Value | undefined;
  for (const factor of dim.split('*')) {
    let part: Value;
    if (/^\d+$/.test(factor)) part = ints(g, [Number(factor)]);
    else {
      const source = g.symbolSources.get(factor);
      if (!source) throw new GraphBuildError(`symbolic dimension '${factor}' is not a dimension of any graph input`);
      part = gather(shapeOf(source.input), ints(g, [source.axis]));
    }
    value = value ? mul(value, part) : part;
  }
  g.memo.set(key, value!);
  return value!;
}

/**
 * Reshapes to `dims`. Dimensions equal to the input's at the same position are copied
 * (ONNX 0), one dimension may be -1, and other symbolic sizes are computed at run time.
 */
export function reshape(x: Value, dims: readonly Dim[]): Value {
  const g = x.graph;
  const unknown = dims.filter((d, i) => !isStatic(d) && !(i < x.rank && dimEquals(d, x.shape[i])));
  let target: Value;
  if (unknown.length <= 1 && !dims.some((d) => d === 0)) {
    const coded = dims.map((d, i) => (isStatic(d) ? d : i < x.rank && dimEquals(d, x.shape[i]) ? 0 : -1));
    target = g.constant(Tensor.from('int64', [coded.length], coded));
  } else {
    target = shapeTensor(g, dims);
  }
  return g.op('Reshape', [x, target])[0];
}

/** Merges all leading axes: [..., K] -> [N, K]. Made once per value (gradients ask repeatedly). */
export function flattenRows(x: Value): Value {
  if (x.rank === 2) return x;
  const key = `flat:${x.name}`;
  let flat = x.graph.memo.get(key);
  if (!flat) {
    flat = reshape(x, [shapeSize(x.shape.slice(0, -1)), x.shape[x.rank - 1]]);
    x.graph.memo.set(key, flat);
  }
  return flat;
}

/** Broadcasts x to `dims`. */
export const expand = (x: Value, dims: readonly Dim[]): Value => x.graph.op('Expand', [x, shapeTensor(x.graph, dims)])[0];

/** A tensor of `dims` filled with `value`. */
export function full(g: Graph, dims: readonly Dim[], value: number, dtype: DType = 'float32'): Value {
  const fill = Tensor.scalar(dtype, dtype === 'int64' ? BigInt(value) : value);
  return g.op('ConstantOfShape', [shapeTensor(g, dims)], { value: Tensor.from(dtype, [1], fill.data as ArrayLike<number | bigint>) })[0];
}

/** Zeros of x's type and shape. */
export const zerosLike = (x: Value): Value => full(x.graph, x.shape, 0, x.dtype);

/** Lower (`upper` false) or upper triangle of the last two axes, offset by k. */
export const trilu = (x: Value, upper: boolean, k = 0): Value =>
  x.graph.op('Trilu', [x, x.graph.constant(Tensor.scalar('int64', BigInt(k)))], { upper: upper ? 1 : 0 })[0];

/**
 * Sums a broadcast result back to `shape`: over the leading axes it gained and the axes
 * where `shape` has size 1. Used by the gradients of broadcasting operators.
 */
export function sumToShape(x: Value, shape: Shape): Value {
  const lead = x.rank - shape.length;
  if (lead < 0) throw new GraphBuildError(`cannot sum ${x} down to rank ${shape.length}`);
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && x.shape[i] !== 1) axes.push(i);
  }
  if (axes.length === 0) return x;
  const onlyLeading = axes.length === lead;
  if (onlyLeading && x.rank >= 2 && isFloat(x.dtype) && shape.length === 1) {
    // A bias's gradient: ones[1, N] · dY[N, C]. ONNX Runtime's ReduceSum over leading axes
    // runs slower on two threads than on one; the product scales (docs/benchmarks.md).
    const flat = flattenRows(x); // [N, C]
    return reshape(matmul(onesRow(x.graph, flat.shape[0], x.dtype), flat), shape); // [C]
  }
  // Reducing only leading axes needs no reshape; otherwise keep dims, then drop the leading ones.
  if (onlyLeading) return reduceSum(x, axes, false);
  const kept = reduceSum(x, axes, true);
  return lead > 0 ? reshape(kept, shape) : kept;
}

/** A [1, n] row of ones, made once per graph, size and type. */
function onesRow(g: Graph, n: Dim, dtype: DType): Value {
  const key = `ones:${n}:${dtype}`;
  let row = g.memo.get(key);
  if (!row) {
    row = isStatic(n) ? g.constant(Tensor.from(dtype, [1, n], new Array<number>(n).fill(1))) : full(g, [1, n], 1, dtype);
    g.memo.set(key, row);
  }
  return row;
}

/**
 * Builds `forward` from `inputs` and gives the whole stretch a gradient of its own, the
 * way a fused kernel would: `gradient` receives the outputs' gradients (undefined where an
 * output does not reach the loss) and returns one gradient per input. Use it where the
 * composite's gradient is cheaper than the chain rule through its parts (attention's
 * softmax backward through the output, say). Values made inside the stretch may be used
 * by `gradient`, but by no node outside it except through `outputs`.
 */
export function customGradient(
  name: string,
  inputs: readonly Value[],
  forward: () => Value[],
  gradient: GradientRegion['gradient'],
): Value[] {
  const g = graphOf(...inputs);
  const first = g.nodes.length;
  const outputs = forward();
  if (g.nodes.length === first) throw new GraphBuildError(`customGradient '${name}': the forward function added no nodes`);
  g.regions.push({ name, inputs, outputs, first, last: g.nodes.length - 1, gradient });
  return outputs;
}
