/**
 * @module slicing
 * How a sub-network cuts each parameter. Every axis is viewed as a small grid (query
 * features as groups × queries per group × head dimensions, say) and the sub-network keeps
 * a leading block of it. The same view serves the graph (Reshape, Slice, Reshape on the
 * full weights) and extraction (copying the block out on the host), so the two agree by
 * construction.
 */
import { F, Value } from '@carve/engine';
import { headsOf, isMultiHead, mlpHiddenOf, ModelConfig, queryGroupsOf, rotaryDims } from './config';
import { AxisKind, ParamSpec } from './params';
import { SubNetwork } from './subnetwork';
import { HalfValues, WeightValues } from './checkpoint/checkpoint';

/** An axis viewed as a grid `dims`, of which the leading block `keep` is kept. */
export interface AxisView {
  dims: number[];
  keep: number[];
}

/**
 * The head dimensions. With full rotate-half RoPE a head is two halves whose dimension i
 * pairs with i + d/2, so a smaller head keeps the front of both halves; otherwise it keeps
 * its first dimensions (interleaved pairs stay whole).
 */
function headView(c: ModelConfig, s: SubNetwork): AxisView {
  if (c.position === 'rope' && c.ropeLayout === 'half' && rotaryDims(c) === c.headSize) {
    return { dims: [2, c.headSize / 2], keep: [2, s.headSize / 2] };
  }
  return { dims: [c.headSize], keep: [s.headSize] };
}

function layerChoice(s: SubNetwork, layer: number | undefined) {
  const choice = s.layers.find((l) => l.index === layer);
  if (!choice) throw new Error(`layer ${layer} is not part of the sub-network`);
  return choice;
}

/** The view of one axis of a parameter of layer `layer`; `rank` sizes a LoRA rank axis. */
export function axisView(c: ModelConfig, s: SubNetwork, kind: AxisKind, layer?: number, rank = 0): AxisView {
  switch (kind) {
    case 'vocab':
      return { dims: [c.vocabSize], keep: [c.vocabSize] };
    case 'position':
      return { dims: [c.blockSize], keep: [c.blockSize] };
    case 'rank':
      return { dims: [rank], keep: [rank] };
    case 'embed':
      return { dims: [c.nEmbd], keep: [s.embedDim] };
    case 'mlp':
      return { dims: [mlpHiddenOf(c, layer!)], keep: [layerChoice(s, layer).mlpHidden] };
    case 'q':
    case 'kv': {
      const l = layer!;
      const heads = headsOf(c, l);
      const groups = queryGroupsOf(c, l);
      const kept = layerChoice(s, l).heads;
      // Under MHA a group is one head, so fewer heads means fewer groups; under GQA every
      // group stays and keeps fewer of its queries.
      const keptGroups = isMultiHead(c) ? kept : groups;
      const head = headView(c, s);
      return kind === 'q'
        ? { dims: [groups, heads / groups, ...head.dims], keep: [keptGroups, kept / keptGroups, ...head.keep] }
        : { dims: [groups, ...head.dims], keep: [keptGroups, ...head.keep] };
    }
  }
}

/** The view of a whole parameter: its axes' grids side by side. */
export function paramView(c: ModelConfig, s: SubNetwork, spec: Pick<ParamSpec, 'axes' | 'layer' | 'shape'>): AxisView & { shape: number[] } {
  const views = spec.axes.map((kind, i) => axisView(c, s, kind, spec.layer, kind === 'rank' ? spec.shape[i] : 0));
  return {
    dims: views.flatMap((v) => v.dims),
    keep: views.flatMap((v) => v.keep),
    shape: views.map((v) => v.keep.reduce((a, b) => a * b, 1)),
  };
}

/** Whether the sub-network cuts this parameter at all. */
export function isCut(view: AxisView): boolean {
  return view.keep.some((k, i) => k !== view.dims[i]);
}

/** The sub-network's block of a full parameter, in the graph: Reshape, Slice, Reshape. */
export function sliceParam(value: Value, view: AxisView & { shape: number[] }): Value {
  if (!isCut(view)) return value;
  const grid = view.dims.length === value.rank ? value : F.reshape(value, view.dims);
  const axes = view.keep.flatMap((k, i) => (k !== view.dims[i] ? [i] : []));
  const block = F.slice(grid, axes.map(() => 0), axes.map((a) => view.keep[a]), axes);
  return view.dims.length === view.shape.length ? block : F.reshape(block, view.shape);
}

/** The sub-network's block of a full parameter, copied out of host memory (16-bit stays 16-bit). */
export function sliceWeight(w: WeightValues, view: AxisView): WeightValues {
  return w instanceof HalfValues ? new HalfValues(sliceHost(w.bits, view)) : sliceHost(w, view);
}

/** The sub-network's block of a full parameter's array, copied out of host memory. */
export function sliceHost<A extends Float32Array | Uint16Array>(data: A, view: AxisView): A {
  if (!isCut(view)) return data.slice() as A;
  const { dims, keep } = view;
  const out = new (data.constructor as new (n: number) => A)(keep.reduce((a, b) => a * b, 1));
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const inner = keep[keep.length - 1];
  let o = 0;
  // Walk every index of the kept block except the last axis, copying contiguous runs.
  const index = new Array<number>(dims.length - 1).fill(0);
  const rows = keep.slice(0, -1).reduce((a, b) => a * b, 1);
  for (let r = 0; r < rows; r++) {
    let offset = 0;
    for (let i = 0; i < index.length; i++) offset += index[i] * strides[i];
    out.set(data.subarray(offset, offset + inner), o);
    o += inner;
    for (let i = index.length - 1; i >= 0; i--) {
      if (++index[i] < keep[i]) break;
      index[i] = 0;
    }
  }
  return out;
}
