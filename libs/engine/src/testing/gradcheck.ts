/**
 * @module testing/gradcheck
 * Checks the gradients that autodiff builds against central finite differences, both
 * computed by ONNX Runtime. The function under test is reduced to a scalar with a fixed
 * random projection, loss = Σ f(x) ⊙ r, so every output element's gradient is exercised.
 */
import * as F from '../builder';
import { gradients } from '../autodiff';
import { DType } from '../dtype';
import { Graph, Value } from '../graph';
import { Rng } from '../rng';
import { Runtime } from '../runtime';
import { Tensor } from '../tensor';

export interface GradCheckInput {
  shape: number[];
  /** @default the case's dtype */
  dtype?: DType;
  /** Values; by default uniform in `range`. */
  values?: number[];
  /** @default [-1, 1] */
  range?: [number, number];
  /** Whether to check this input's gradient. @default true for float inputs */
  differentiable?: boolean;
}

export interface GradCheckCase {
  name: string;
  /** Float type of the differentiable inputs and of the check. */
  dtype: 'float32' | 'float64';
  inputs: Record<string, GradCheckInput>;
  /** Builds the function under test from the declared inputs. */
  build(inputs: Record<string, Value>): Value;
}

export interface GradCheckOptions {
  /** Finite-difference step. @default 1e-6 for float64, 1e-2 for float32 */
  eps?: number;
  /** Relative tolerance. @default 1e-6 for float64, 2e-2 for float32 */
  rtol?: number;
  /** Absolute tolerance. @default 1e-8 for float64, 2e-3 for float32 */
  atol?: number;
  seed?: number;
  runtime?: Runtime;
}

export interface GradCheckResult {
  /** Worst |analytic − numeric| / (atol + rtol·|numeric|); at most 1 passes. */
  worst: number;
  /** Where the worst element is: input name and flat index. */
  where: string;
  /** The analytic gradients, by input name. */
  analytic: Record<string, Float64Array>;
  numeric: Record<string, Float64Array>;
}

export interface CaseGraph {
  graph: Graph;
  /** The case's declared inputs, as graph inputs. */
  values: Record<string, Value>;
  /** The function's output. */
  y: Value;
  /** Input data, drawn from `rng` where the case gives no values. */
  feeds: Record<string, Tensor>;
}

/** A case's graph up to its output, with feeds drawn as the checker draws them. */
export function buildCaseGraph(c: GradCheckCase, rng: Rng): CaseGraph {
  const graph = new Graph(c.name.replace(/\W+/g, '_'));
  const values: Record<string, Value> = {};
  const feeds: Record<string, Tensor> = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    const dtype = spec.dtype ?? c.dtype;
    values[name] = graph.input(name, dtype, spec.shape);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = spec.range ?? [-1, 1];
    const data = spec.values ?? Array.from({ length: size }, () => rng.uniform(lo, hi));
    feeds[name] = Tensor.from(dtype, spec.shape, data);
  }
  return { graph, values, y: c.build(values), feeds };
}

function buildLoss(c: GradCheckCase, rng: Rng): { graph: Graph; loss: Value; values: Record<string, Value>; feeds: Record<string, Tensor> } {
  const { graph, values, y, feeds } = buildCaseGraph(c, rng);
  const shape = y.shape.map((d) => {
    if (typeof d !== 'number') throw new Error(`case '${c.name}': output has symbolic dimension ${d}`);
    return d;
  });
  const r = F.constant(graph, Tensor.from(y.dtype, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1))));
  return { graph, loss: F.reduceSum(F.mul(y, r)), values, feeds };
}

/** Runs the check and returns the worst error ratio; throws nothing on mismatch (see `assertGradients`). */
export async function checkGradients(c: GradCheckCase, options: GradCheckOptions = {}): Promise<GradCheckResult> {
  const f64 = c.dtype === 'float64';
  const eps = options.eps ?? (f64 ? 1e-6 : 1e-2);
  const rtol = options.rtol ?? (f64 ? 1e-6 : 2e-2);
  const atol = options.atol ?? (f64 ? 1e-8 : 2e-3);
  const runtime = options.runtime ?? new Runtime();
  try {
    const { graph, loss, values, feeds } = buildLoss(c, new Rng(options.seed ?? 7));
    const names = Object.keys(values).filter((n) => (c.inputs[n].differentiable ?? (values[n].dtype === c.dtype)) && values[n].dtype === c.dtype);
    const grads = gradients(loss, names.map((n) => values[n]));
    graph.output({ loss }, Object.fromEntries(names.map((n, i) => [`d_${n}`, grads[i]])));
    const session = await runtime.compile(graph);
    const base = await session.run(feeds);

    const analytic: Record<string, Float64Array> = {};
    const numeric: Record<string, Float64Array> = {};
    let worst = 0;
    let where = '';
    for (const name of names) {
      analytic[name] = Float64Array.from(base[`d_${name}`].data as Float64Array);
      const x = feeds[name].data as Float32Array | Float64Array;
      const num = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const saved = x[i];
        x[i] = saved + eps;
        const plus = Number((await session.run(feeds)).loss.data[0]);
        x[i] = saved - eps;
        const minus = Number((await session.run(feeds)).loss.data[0]);
        x[i] = saved;
        num[i] = (plus - minus) / (2 * eps);
        const ratio = Math.abs(analytic[name][i] - num[i]) / (atol + rtol * Math.abs(num[i]));
        if (!(ratio <= worst)) {
          worst = Number.isNaN(ratio) ? Infinity : ratio;
          where = `${name}[${i}]: analytic ${analytic[name][i]}, numeric ${num[i]}`;
        }
      }
      numeric[name] = num;
    }
    return { worst, where, analytic, numeric };
  } finally {
    if (!options.runtime) await runtime.dispose();
  }
}

/** Checks and throws an Error naming the case and the worst element when a gradient is off. */
export async function assertGradients(c: GradCheckCase, options: GradCheckOptions = {}): Promise<GradCheckResult> {
  const result = await checkGradients(c, options);
  if (!(result.worst <= 1)) throw new Error(`gradient check '${c.name}' (${c.dtype}) failed: ${result.where} (error ratio ${result.worst.toFixed(3)})`);
  return result;
}
