/**
 * @module autodiff
 * Reverse-mode differentiation at graph level: appends to the graph the nodes that compute
 * the gradient of a scalar loss with respect to chosen values, so one session run yields
 * forward, loss and gradients together.
 */
import * as builder from './builder';
import { dimEquals, formatShape } from './dims';
import { isFloat } from './dtype';
import { GraphBuildError } from './errors';
import { GradientRegion, Node, Value } from './graph';
import { getOpDef } from './ops';

export interface GradientOptions {
  /** Return zeros for a value the loss does not depend on, instead of failing. */
  allowUnused?: boolean;
}

/**
 * Adds the gradient of `loss` (a float scalar) with respect to each of `wrt` to the
 * loss's graph and returns them in order. Only the nodes on a path from `wrt` to the loss
 * are differentiated; `stopGradient` nodes cut paths; integer values never carry gradients.
 */
export function gradients(loss: Value, wrt: readonly Value[], options: GradientOptions = {}): Value[] {
  const graph = loss.graph;
  if (!isFloat(loss.dtype) || loss.shape.length !== 0) {
    throw new GraphBuildError(`the loss must be a float scalar, got ${loss}`);
  }
  for (const w of wrt) {
    if (w.graph !== graph) throw new GraphBuildError(`${w} belongs to graph '${w.graph.name}', the loss to '${graph.name}'`);
    if (!isFloat(w.dtype)) {
      const from = w.producer ? `output of node '${w.producer.name}' (${w.producer.op})` : 'a graph input';
      throw new GraphBuildError(`cannot differentiate with respect to ${w}, ${from}: only float32 and float64 tensors carry gradients`, w.producer?.name, w.producer?.op);
    }
  }

  const relevant = valuesOnPath(graph.nodes, new Set(wrt), loss);
  const contributions = new Map<Value, Value[]>();
  contributions.set(loss, [builder.scalar(graph, 1, loss.dtype)]);
  const total = (v: Value): Value | undefined => {
    const parts = contributions.get(v);
    return parts && builder.sum(parts);
  };

  const regionEndingAt = new Map(graph.regions.map((r) => [r.last, r]));
  const addContribution = (input: Value, grad: Value, where: string) => {
    if (grad.dtype !== input.dtype || grad.shape.length !== input.shape.length || !grad.shape.every((d, k) => dimEquals(d, input.shape[k]))) {
      throw new GraphBuildError(`${where}: the gradient for ${input} is ${grad.dtype} ${formatShape(grad.shape)}, expected ${input.dtype} ${formatShape(input.shape)}`);
    }
    const list = contributions.get(input) ?? [];
    list.push(grad);
    contributions.set(input, list);
  };

  graph.withScope('grad', () => {
    for (let n = graph.nodes.length - 1; n >= 0; n--) {
      const region = regionEndingAt.get(n);
      if (region) {
        differentiateRegion(region, graph.nodes, total, relevant, addContribution);
        n = region.first; // the loop's decrement moves past the region
        continue;
      }
      const node = graph.nodes[n];
      if (node.stopGradient || !node.outputs.some((o) => contributions.has(o))) continue;
      const targets = node.inputs.map((v, i) => (v && relevant.has(v) ? i : -1)).filter((i) => i >= 0);
      if (targets.length === 0) continue;
      const dOutputs = node.outputs.map(total);
      for (const [i, grad] of differentiate(node, dOutputs, targets)) addContribution(node.inputs[i]!, grad, `node '${node.name}' (${node.op}), input ${i}`);
    }
  });

  return wrt.map((w) => {
    const grad = total(w);
    if (grad) return grad;
    if (options.allowUnused) return builder.zerosLike(w);
    throw new GraphBuildError(`the loss does not depend on ${w}; pass { allowUnused: true } to get zeros instead`);
  });
}

/** Applies a custom-gradient region's own gradient, after checking nothing reached its insides. */
function differentiateRegion(
  region: GradientRegion,
  nodes: readonly Node[],
  total: (v: Value) => Value | undefined,
  relevant: ReadonlySet<Value>,
  add: (input: Value, grad: Value, where: string) => void,
): void {
  const where = `custom gradient '${region.name}'`;
  const outputs = new Set(region.outputs);
  for (let k = region.first; k <= region.last; k++) {
    for (const v of nodes[k].outputs) {
      if (!outputs.has(v) && total(v)) throw new GraphBuildError(`${where}: ${v} is made inside the region but reaches the loss outside its outputs`);
    }
  }
  const dOutputs = region.outputs.map(total);
  if (dOutputs.every((d) => d === undefined) || !region.inputs.some((v) => relevant.has(v))) return;
  const grads = region.gradient(dOutputs);
  if (grads.length !== region.inputs.length) throw new GraphBuildError(`${where}: returned ${grads.length} gradients for ${region.inputs.length} inputs`);
  region.inputs.forEach((input, i) => {
    if (relevant.has(input)) add(input, grads[i], where);
  });
}

/** Float values that depend on a `wrt` value and that the loss depends on. */
function valuesOnPath(nodes: readonly Node[], wrt: ReadonlySet<Value>, loss: Value): Set<Value> {
  const dependent = new Set<Value>(wrt);
  for (const node of nodes) {
    if (node.stopGradient) continue;
    if (node.inputs.some((v) => v && dependent.has(v))) for (const o of node.outputs) if (isFloat(o.dtype)) dependent.add(o);
  }
  const reaches = new Set<Value>([loss]);
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    if (node.outputs.some((o) => reaches.has(o))) for (const v of node.inputs) if (v) reaches.add(v);
  }
  return new Set([...dependent].filter((v) => reaches.has(v)));
}

function differentiate(node: Node, dOutputs: (Value | undefined)[], targets: number[]): [number, Value][] {
  const def = getOpDef(node.op)!;
  const fail = (message: string): never => {
    throw new GraphBuildError(`node '${node.name}' (${node.op}): ${message}`, node.name, node.op);
  };
  if (!def.gradient) return fail(`has no gradient (${def.reason ?? 'not implemented'}), but the loss depends on it through a differentiable input`);
  const variadic = def.inputs.length === 1 && def.inputs[0].endsWith('...');
  try {
    const thunks = def.gradient.emit(builder, dOutputs, node.inputs, node);
    return targets.map((i) => {
      const key = variadic ? String(i) : def.inputs[i].replace(/\?$/, '');
      const thunk = thunks[key];
      if (!thunk) return fail(`has no gradient for input '${key}'`);
      return [i, thunk()] as [number, Value];
    });
  } catch (e) {
    if (e instanceof GraphBuildError) throw e;
    return fail(`while building its gradient: ${(e as Error).message}`);
  }
}
