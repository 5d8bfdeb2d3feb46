/**
 * Checks over the whole op table: every operator with a gradient has cases here, checked
 * against central finite differences by `assertGradients`, and the shapes and types that
 * every case infers at build time, in its forward and its gradient graph, are compared with
 * what ONNX Runtime returns.
 *
 * Cases run in float64 with the checker's defaults (eps 1e-6, rtol 1e-6, atol 1e-8).
 * Float32-only, because ONNX Runtime's CPU provider has no float64 kernel for them: Erf, and
 * Gelu with approximate 'none' (its forward and gradient both need Erf). Those run with the
 * float32 defaults (eps 1e-2, rtol 2e-2, atol 2e-3), as does Cast float64 -> float32, whose
 * loss is float32, and the float32 LayerNormalization case, which is the only path that
 * reuses the statistics ONNX Runtime stashes (as float32).
 */
import { assertGradients, buildCaseGraph, F, GradCheckCase, GradCheckInput, GradCheckOptions, gradients, Graph, OP_TABLE, Rng, Runtime, Tensor, Value } from '../index';

interface OpCase extends GradCheckCase {
  /** Checker options, for a case whose loss is not in its inputs' type (Cast). */
  options?: GradCheckOptions;
}

type Inputs = Record<string, GradCheckInput>;
type Build = (v: Record<string, Value>) => Value;

const f64 = (name: string, inputs: Inputs, build: Build): OpCase => ({ name, dtype: 'float64', inputs, build });
const f32 = (name: string, inputs: Inputs, build: Build): OpCase => ({ name, dtype: 'float32', inputs, build });

/** A single input `x`. */
const x = (shape: number[], range?: [number, number]): Inputs => ({ x: { shape, range } });
const int64 = (shape: number[], values: number[]): GradCheckInput => ({ shape, dtype: 'int64', values, differentiable: false });
const bool = (shape: number[], values: number[]): GradCheckInput => ({ shape, dtype: 'bool', values });

const unary = (name: string, fn: (x: Value) => Value, range?: [number, number]): OpCase => f64(name, x([3, 4], range), (v) => fn(v.x));

/** A trailing vector, a column on the left, a scalar, and both sides broadcast at once. */
function broadcastCases(op: string, fn: (a: Value, b: Value) => Value, a: [number, number] = [-1, 1], b: [number, number] = [-1, 1]): OpCase[] {
  const pair = (sa: number[], sb: number[]): OpCase =>
    f64(`${op} [${sa}] with [${sb}]`, { a: { shape: sa, range: a }, b: { shape: sb, range: b } }, (v) => fn(v.a, v.b));
  return [pair([2, 3, 4], [4]), pair([3, 1], [2, 3, 4]), pair([2, 3, 4], []), pair([2, 1, 4], [3, 1])];
}

function reduceCases(op: string, fn: (x: Value, axes?: readonly number[], keepdims?: boolean) => Value): OpCase[] {
  return [
    f64(`${op} axis 1, keepdims 0`, x([2, 3, 4]), (v) => fn(v.x, [1], false)),
    f64(`${op} axes 0 and 2, keepdims 1`, x([2, 3, 4]), (v) => fn(v.x, [0, 2], true)),
    f64(`${op} axes -1 and 0, keepdims 0`, x([2, 3, 4]), (v) => fn(v.x, [-1, 0], false)),
    f64(`${op} all axes, keepdims 0`, x([2, 3, 4]), (v) => fn(v.x, undefined, false)),
    f64(`${op} all axes, keepdims 1`, x([2, 3, 4]), (v) => fn(v.x, undefined, true)),
    // ONNX reduces every axis when the axes list is empty.
    f64(`${op} empty axes list, keepdims 1`, x([2, 3]), (v) => fn(v.x, [], true)),
  ];
}

/** Logits [N=4, C=5] against labels [4]; -100 marks an ignored row. */
const LABELS = [1, 0, 4, 2];
const LABELS_IGNORED = [1, -100, 4, 2];
const ce = (labels: number[]): Inputs => ({ logits: { shape: [4, 5], range: [-2, 2] }, labels: int64([4], labels) });

const FLOAT32_DEFAULTS: GradCheckOptions = { eps: 1e-2, rtol: 2e-2, atol: 2e-3 };

/** Gradient cases, keyed by the op type whose gradient they check. */
const CASES: Readonly<Record<string, readonly OpCase[]>> = {
  Abs: [unary('Abs', F.abs)],
  Cos: [unary('Cos', F.cos, [-3, 3])],
  Erf: [f32('Erf', x([3, 4], [-2, 2]), (v) => F.erf(v.x))],
  Exp: [unary('Exp', F.exp)],
  Log: [unary('Log', F.log, [0.2, 3])],
  Neg: [unary('Neg', F.neg)],
  Reciprocal: [unary('Reciprocal', F.reciprocal, [0.3, 3]), unary('Reciprocal of negatives', F.reciprocal, [-3, -0.3])],
  Relu: [unary('Relu', F.relu)],
  Sigmoid: [unary('Sigmoid', F.sigmoid, [-4, 4])],
  Sin: [unary('Sin', F.sin, [-3, 3])],
  Sqrt: [unary('Sqrt', F.sqrt, [0.2, 3])],
  Tanh: [unary('Tanh', F.tanh, [-2, 2])],
  Identity: [unary('Identity', F.identity)],
  Gelu: [f32('Gelu exact', x([3, 4], [-3, 3]), (v) => F.gelu(v.x, 'none')), unary('Gelu tanh', (v) => F.gelu(v, 'tanh'), [-3, 3])],
  Cast: [
    { ...f64('Cast float64 to float32', x([3, 4]), (v) => F.cast(v.x, 'float32')), options: FLOAT32_DEFAULTS },
    f32('Cast float32 to float64', x([3, 4]), (v) => F.cast(v.x, 'float64')),
  ],

  Add: broadcastCases('Add', F.add),
  Sub: broadcastCases('Sub', F.sub),
  Mul: broadcastCases('Mul', F.mul),
  Div: broadcastCases('Div', F.div, [-1, 1], [0.5, 2]),
  // A positive base keeps ln(a), in the exponent's gradient, defined.
  Pow: [...broadcastCases('Pow', F.pow, [0.5, 2], [-2, 2]), unary('Pow by constant 3', (v) => F.pow(v, 3))],
  Where: [
    f64(
      'Where [2,3,4] condition, [4] and [3,1]',
      { c: bool([2, 3, 4], Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 1 : 0))), a: { shape: [4] }, b: { shape: [3, 1] } },
      (v) => F.where(v.c, v.a, v.b),
    ),
    f64('Where [3,1] condition, [2,3,4] and scalar', { c: bool([3, 1], [1, 0, 1]), a: { shape: [2, 3, 4] }, b: { shape: [] } }, (v) =>
      F.where(v.c, v.a, v.b),
    ),
  ],
  Sum: [
    f64('Sum of [2,3,4], [4], [3,1] and scalar', { a: { shape: [2, 3, 4] }, b: { shape: [4] }, c: { shape: [3, 1] }, d: { shape: [] } }, (v) =>
      F.sum([v.a, v.b, v.c, v.d]),
    ),
    f64('Sum of [3,1] and [2,3,4]', { a: { shape: [3, 1] }, b: { shape: [2, 3, 4] } }, (v) => F.sum([v.a, v.b])),
  ],

  Gemm: [
    f64('Gemm', { a: { shape: [2, 3] }, b: { shape: [3, 4] } }, (v) => F.gemm(v.a, v.b)),
    f64('Gemm transA', { a: { shape: [3, 2] }, b: { shape: [3, 4] } }, (v) => F.gemm(v.a, v.b, { transA: true })),
    f64('Gemm transB (a tied output head)', { a: { shape: [2, 3] }, b: { shape: [4, 3] } }, (v) => F.gemm(v.a, v.b, { transB: true })),
    f64('Gemm transA and transB', { a: { shape: [3, 2] }, b: { shape: [4, 3] } }, (v) => F.gemm(v.a, v.b, { transA: true, transB: true })),
  ],
  MatMul: [
    f64('MatMul [3,4] x [4,5]', { a: { shape: [3, 4] }, b: { shape: [4, 5] } }, (v) => F.matmul(v.a, v.b)),
    // [B, T, C] x [C, N]: the weight's gradient is one Gemm over the folded batch.
    f64('MatMul [2,3,4] x [4,5]', { a: { shape: [2, 3, 4] }, b: { shape: [4, 5] } }, (v) => F.matmul(v.a, v.b)),
    f64('MatMul [2,2,3,4] x [4,3]', { a: { shape: [2, 2, 3, 4] }, b: { shape: [4, 3] } }, (v) => F.matmul(v.a, v.b)),
    f64('MatMul [3,4] x [2,4,5]', { a: { shape: [3, 4] }, b: { shape: [2, 4, 5] } }, (v) => F.matmul(v.a, v.b)),
    f64('MatMul [2,3,4] x [2,4,5]', { a: { shape: [2, 3, 4] }, b: { shape: [2, 4, 5] } }, (v) => F.matmul(v.a, v.b)),
    // Attention scores q·kᵀ: [B, nh, T, hs] x [B, nh, hs, T].
    f64('MatMul [2,2,3,4] x [2,2,4,3]', { a: { shape: [2, 2, 3, 4] }, b: { shape: [2, 2, 4, 3] } }, (v) => F.matmul(v.a, v.b)),
    f64('MatMul [2,1,3,4] x [2,4,2]', { a: { shape: [2, 1, 3, 4] }, b: { shape: [2, 4, 2] } }, (v) => F.matmul(v.a, v.b)),
  ],

  ReduceSum: reduceCases('ReduceSum', F.reduceSum),
  ReduceMean: reduceCases('ReduceMean', F.reduceMean),
  ReduceMax: reduceCases('ReduceMax', F.reduceMax),

  Softmax: [
    f64('Softmax axis -1', x([2, 3, 4], [-2, 2]), (v) => F.softmax(v.x, -1)),
    f64('Softmax axis 1', x([2, 3, 4], [-2, 2]), (v) => F.softmax(v.x, 1)),
  ],
  LogSoftmax: [
    f64('LogSoftmax axis -1', x([2, 3, 4], [-2, 2]), (v) => F.logSoftmax(v.x, -1)),
    f64('LogSoftmax axis 1', x([2, 3, 4], [-2, 2]), (v) => F.logSoftmax(v.x, 1)),
  ],
  LayerNormalization: [
    f64('LayerNorm axis -1 with bias', { x: { shape: [2, 3, 4] }, scale: { shape: [4] }, bias: { shape: [4] } }, (v) =>
      F.layerNorm(v.x, v.scale, v.bias),
    ),
    f64('LayerNorm axis -1 without bias', { x: { shape: [2, 3, 4] }, scale: { shape: [4] } }, (v) => F.layerNorm(v.x, v.scale, null)),
    f64('LayerNorm axis -2 with bias', { x: { shape: [2, 3, 4] }, scale: { shape: [3, 4] }, bias: { shape: [3, 4] } }, (v) =>
      F.layerNorm(v.x, v.scale, v.bias, 1e-5, -2),
    ),
    f64('LayerNorm axis -2 without bias', { x: { shape: [2, 3, 4] }, scale: { shape: [3, 4] } }, (v) => F.layerNorm(v.x, v.scale, null, 1e-5, -2)),
    // Built directly, as the builder does not ask for the (float32) statistics of a float64 X.
    f64('LayerNorm axis -1 with the statistics as outputs', { x: { shape: [2, 3, 4] }, scale: { shape: [4] } }, (v) =>
      v.x.graph.op('LayerNormalization', [v.x, v.scale], { axis: -1 }, { outputs: 3 })[0],
    ),
    f32('LayerNorm axis -2 with bias, stashed statistics', { x: { shape: [2, 3, 4] }, scale: { shape: [3, 4] }, bias: { shape: [3, 4] } }, (v) =>
      F.layerNorm(v.x, v.scale, v.bias, 1e-5, -2),
    ),
  ],
  SoftmaxCrossEntropyLoss: [
    f64('cross-entropy mean', ce(LABELS), (v) => F.crossEntropy(v.logits, v.labels)),
    f64('cross-entropy sum', ce(LABELS), (v) => F.crossEntropy(v.logits, v.labels, { reduction: 'sum' })),
    f64('cross-entropy none', ce(LABELS), (v) => F.crossEntropy(v.logits, v.labels, { reduction: 'none' })),
    f64('cross-entropy mean, one label ignored', ce(LABELS_IGNORED), (v) => F.crossEntropy(v.logits, v.labels, { ignoreIndex: -100 })),
    f64('cross-entropy sum, one label ignored', ce(LABELS_IGNORED), (v) =>
      F.crossEntropy(v.logits, v.labels, { ignoreIndex: -100, reduction: 'sum' }),
    ),
    f64('cross-entropy none, one label ignored', ce(LABELS_IGNORED), (v) =>
      F.crossEntropy(v.logits, v.labels, { ignoreIndex: -100, reduction: 'none' }),
    ),
  ],

  // Embedding lookup: token ids [B=2, T=3] into a [V=5, C=4] table; rows 0 and 2 are picked twice.
  Gather: [f64('Gather embedding rows', { table: { shape: [5, 4] }, ids: int64([2, 3], [0, 2, 2, 4, 0, 1]) }, (v) => F.gather(v.table, v.ids))],
  GatherElements: [
    f64('GatherElements axis 1, repeated indices', { x: { shape: [3, 4] }, i: int64([3, 2], [0, 3, 1, 1, 2, 0]) }, (v) => F.gatherElements(v.x, v.i, 1)),
    f64('GatherElements axis 0', { x: { shape: [3, 4] }, i: int64([2, 4], [2, 0, 1, 2, 0, 0, 2, 1]) }, (v) => F.gatherElements(v.x, v.i, 0)),
  ],
  ScatterElements: [
    // 'none' writes each position once: with repeated indices the result would depend on the order.
    f64('ScatterElements none, axis 0', { x: { shape: [3, 4] }, i: int64([2, 4], [2, 0, 1, 2, 0, 1, 0, 1]), u: { shape: [2, 4] } }, (v) =>
      F.scatterElements(v.x, v.i, v.u, 0, 'none'),
    ),
    f64('ScatterElements add, axis 1, repeated indices', { x: { shape: [3, 4] }, i: int64([3, 2], [0, 0, 3, 1, 2, 2]), u: { shape: [3, 2] } }, (v) =>
      F.scatterElements(v.x, v.i, v.u, 1, 'add'),
    ),
  ],

  // Step 1 only: the gradient of a strided Slice is not implemented.
  Slice: [
    f64('Slice two axes, end past the size', x([4, 5, 3]), (v) => F.slice(v.x, [1, 2], [3, 100], [0, 1])),
    f64('Slice negative starts and ends', x([4, 5, 3]), (v) => F.slice(v.x, [-3, -2], [-1, 3], [1, -1])),
  ],
  Pad: [
    f64('Pad [2,3] to [3,5]', x([2, 3]), (v) => F.pad(v.x, [1, 0, 0, 2])),
    f64('Pad [2,1,3] on every side', x([2, 1, 3]), (v) => F.pad(v.x, [0, 1, 2, 1, 1, 0])),
  ],
  Concat: [
    f64('Concat axis 1', { a: { shape: [2, 3] }, b: { shape: [2, 1] }, c: { shape: [2, 2] } }, (v) => F.concat([v.a, v.b, v.c], 1)),
    f64('Concat axis -3', { a: { shape: [1, 2, 3] }, b: { shape: [2, 2, 3] } }, (v) => F.concat([v.a, v.b], -3)),
  ],
  Split: [
    f64('Split axis 0', x([4, 3]), (v) => {
      const [p, q] = F.split(v.x, [1, 3]);
      return F.mul(p, q); // [1,3] * [3,3]
    }),
    // The middle piece never reaches the loss, so its part of the gradient is zeros.
    f64('Split axis 1 with an unused output', x([2, 6]), (v) => {
      const [p, , q] = F.split(v.x, [1, 2, 3], 1);
      return F.mul(p, q); // [2,1] * [2,3]
    }),
  ],
  Reshape: [
    f64('Reshape [2,3,4] to [6,4]', x([2, 3, 4]), (v) => F.reshape(v.x, [6, 4])),
    // Heads split off the channels: [B, T, C] -> [B, T, nh, hs].
    f64('Reshape [2,3,4] to [2,3,2,-1]', x([2, 3, 4]), (v) => F.reshape(v.x, [2, 3, 2, -1])),
  ],
  Transpose: [
    f64('Transpose [2,3,4] by [2,0,1]', x([2, 3, 4]), (v) => F.transpose(v.x, [2, 0, 1])),
    f64('Transpose [2,3,2,2] by [0,2,1,3]', x([2, 3, 2, 2]), (v) => F.transpose(v.x, [0, 2, 1, 3])),
  ],
  Squeeze: [
    f64('Squeeze axes 1 and 3', x([2, 1, 3, 1]), (v) => F.squeeze(v.x, [1, 3])),
    f64('Squeeze axis -1', x([3, 1]), (v) => F.squeeze(v.x, [-1])),
  ],
  Unsqueeze: [
    f64('Unsqueeze axes 0 and 3', x([2, 3]), (v) => F.unsqueeze(v.x, [0, 3])),
    f64('Unsqueeze axis -1', x([2, 3]), (v) => F.unsqueeze(v.x, [-1])),
  ],
  Expand: [
    f64('Expand [3,1] to [2,3,4]', x([3, 1]), (v) => F.expand(v.x, [2, 3, 4])),
    f64('Expand [2,1,4] to [2,3,4]', x([2, 1, 4]), (v) => F.expand(v.x, [2, 3, 4])),
  ],
  Trilu: [
    f64('Trilu lower', x([3, 4]), (v) => F.trilu(v.x, false)),
    f64('Trilu upper, k 1', x([3, 4]), (v) => F.trilu(v.x, true, 1)),
    f64('Trilu lower, k -1, batched', x([2, 3, 3]), (v) => F.trilu(v.x, false, -1)),
  ],
};

/** Forward-only cases: ops and variants without a gradient, whose shape inference still counts. */
const SHAPE_CASES: Readonly<Record<string, readonly OpCase[]>> = {
  Equal: [f64('Equal [2,3,4] with [3,1]', { a: { shape: [2, 3, 4] }, b: { shape: [3, 1] } }, (v) => F.equal(v.a, v.b))],
  Greater: [f64('Greater [4] with [3,1]', { a: { shape: [4] }, b: { shape: [3, 1] } }, (v) => F.greater(v.a, v.b))],
  Less: [f64('Less [2,3] with scalar', { a: { shape: [2, 3] }, b: { shape: [] } }, (v) => F.less(v.a, v.b))],
  Not: [f64('Not', x([2, 3]), (v) => F.not(F.greater(v.x, 0)))],
  Sign: [unary('Sign', F.sign)],
  Shape: [f64('Shape', x([2, 3, 4]), (v) => F.shapeOf(v.x))],
  Range: [f64('Range', x([5]), (v) => F.add(F.cast(F.range(v.x.graph, 5), 'float64'), v.x))],
  Size: [f64('Size', x([2, 3, 4]), (v) => F.size(v.x))],
  ConstantOfShape: [f64('ConstantOfShape', x([2]), (v) => F.add(F.full(v.x.graph, [3, 2], 1.5, 'float64'), v.x))],
  ScatterND: [f64('ScatterND add', { x: { shape: [5, 4] }, i: int64([3, 1], [4, 0, 4]), u: { shape: [3, 4] } }, (v) => F.scatterND(v.x, v.i, v.u, 'add'))],
  Slice: [
    f64('Slice reversed', x([4, 3]), (v) => F.slice(v.x, [-1], [-100], [0], [-1])),
    f64('Slice stepping back by 2', x([5, 3]), (v) => F.slice(v.x, [-1], [0], [0], [-2])),
    f64('Slice stepping back from before the start', x([4, 3]), (v) => F.slice(v.x, [-10], [-100], [0], [-1])),
    f64('Slice by 3', x([5, 3]), (v) => F.slice(v.x, [0], [5], [0], [3])),
  ],
};

const entries = (table: Readonly<Record<string, readonly OpCase[]>>) =>
  Object.entries(table).flatMap(([op, cases]) => cases.map((c) => [op, c] as [string, OpCase]));
const GRADIENT_CASES = entries(CASES);
const FORWARD_CASES = entries(SHAPE_CASES);

let runtime: Runtime;
beforeAll(() => {
  runtime = new Runtime();
});
afterAll(() => runtime.dispose());

test('every op with a gradient has a case, every op without one says why, every op has its shapes checked', () => {
  const problems: string[] = [];
  for (const def of OP_TABLE) {
    if (def.gradient && !CASES[def.type]?.length) problems.push(`${def.type} has a gradient but no case`);
    if (!def.gradient && !def.reason?.trim()) problems.push(`${def.type} has neither a gradient nor a reason`);
    if (!CASES[def.type] && !SHAPE_CASES[def.type]) problems.push(`${def.type} has no case checking its shapes`);
  }
  for (const [op, c] of [...GRADIENT_CASES, ...FORWARD_CASES]) {
    const def = OP_TABLE.find((d) => d.type === op);
    if (!def) problems.push(`case '${c.name}' is keyed by ${op}, which is not in the table`);
    else if (CASES[op]?.includes(c) && !def.gradient) problems.push(`gradient case '${c.name}' is keyed by ${op}, which has no gradient`);
    if (!buildCaseGraph(c, new Rng(0)).graph.nodes.some((n) => n.op === op)) problems.push(`case '${c.name}' builds no ${op} node`);
  }
  expect(problems).toEqual([]);
});

test.each(GRADIENT_CASES.map(([op, c]) => [op, c.name, c.dtype, c] as const))('%s: %s (%s) gradient', async (_op, _name, _dtype, c) => {
  await assertGradients(c, { ...c.options, runtime });
});

test.each([...GRADIENT_CASES.map(([op, c]) => [op, c.name, c, true] as const), ...FORWARD_CASES.map(([op, c]) => [op, c.name, c, false] as const)])(
  '%s: %s shapes match ONNX Runtime',
  async (_op, _name, c, withGradients) => {
    const rng = new Rng(1);
    const { graph, y, values, feeds } = buildCaseGraph(c, rng);
    if (withGradients) {
      // The same loss as the checker's, so the gradient graph is the one it runs.
      const shape = y.shape as number[];
      const r = F.constant(graph, Tensor.from(y.dtype, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1))));
      const wrt = Object.keys(values).filter((n) => values[n].dtype === c.dtype && (c.inputs[n].differentiable ?? true));
      gradients(F.reduceSum(F.mul(y, r)), wrt.map((n) => values[n]));
    }
    const checked = graph.nodes.flatMap((n) => n.outputs);
    graph.output(Object.fromEntries(checked.map((v, i) => [`checked_${i}`, v])));
    const out = await (await runtime.compile(graph)).run(feeds);
    const mismatches = checked.flatMap((v, i) => {
      const got = out[`checked_${i}`];
      const same = got.dtype === v.dtype && got.shape.length === v.rank && got.shape.every((d, k) => d === v.shape[k]);
      return same ? [] : [`${v}, output of ${v.producer!.op}: ONNX Runtime returned ${got.dtype} [${got.shape.join(', ')}]`];
    });
    expect(mismatches).toEqual([]);
  },
);

test('ReduceMax shares the gradient equally between tied maxima (PyTorch amax convention)', async () => {
  const g = new Graph('reduce_max_ties');
  const x = g.input('x', 'float64', [2, 4]);
  const [dx] = gradients(F.reduceSum(F.reduceMax(x, [1])), [x]);
  g.output({ dx });
  const runtime = new Runtime();
  const out = await (await runtime.compile(g)).run({ x: Tensor.from('float64', [2, 4], [1, 3, 3, 2, 5, 5, 5, 0]) });
  await runtime.dispose();
  expect(out.dx.toNumbers()).toEqual([0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3, 0]);
});
