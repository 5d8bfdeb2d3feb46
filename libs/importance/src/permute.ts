/**
 * @module permute
 * Applies importance orders to a model's weights (and LoRA adapters): every axis that indexes
 * embedding channels, heads or neurons is permuted the same way everywhere, so the permuted
 * model computes exactly the same function, with the most important units first.
 */
import { AxisKind, Checkpoint, headsOf, loraParamSpecs, LoraConfig, ModelConfig, paramSpecs, queryGroupsOf } from '@carve/model';
import { ImportanceOrders } from './orders';

/** new → old index along `kind` in layer `layer`, or undefined when the axis is not permuted. */
function axisPermutation(c: ModelConfig, o: ImportanceOrders, kind: AxisKind, layer?: number): number[] | undefined {
  const hs = c.headSize;
  switch (kind) {
    case 'embed':
      return o.channels;
    case 'mlp':
      return o.neurons[layer!];
    case 'q': {
      const { groups, queries } = o.heads[layer!];
      const perGroup = headsOf(c, layer!) / queryGroupsOf(c, layer!);
      return groups.flatMap((oldGroup, i) => queries[i].flatMap((oldQuery) => Array.from({ length: hs }, (_, d) => (oldGroup * perGroup + oldQuery) * hs + d)));
    }
    case 'kv':
      return o.heads[layer!].groups.flatMap((oldGroup) => Array.from({ length: hs }, (_, d) => oldGroup * hs + d));
    default:
      return undefined;
  }
}

/** Permutes `data` of `shape` along `axis`: out[…, i, …] = in[…, perm[i], …]. */
export function permuteAxis(data: Float32Array, shape: readonly number[], axis: number, perm: readonly number[]): Float32Array {
  if (perm.length !== shape[axis]) throw new Error(`permutation of ${perm.length} indices for an axis of ${shape[axis]}`);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = shape[axis];
  const out = new Float32Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const from = (o * n + perm[i]) * inner;
      out.set(data.subarray(from, from + inner), (o * n + i) * inner);
    }
  }
  return out;
}

function permuteAll(
  c: ModelConfig,
  o: ImportanceOrders,
  specs: readonly { name: string; shape: number[]; axes: AxisKind[]; layer?: number }[],
  values: ReadonlyMap<string, Float32Array>,
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of specs) {
    let data = values.get(spec.name);
    if (!data) throw new Error(`permute: model '${c.name}' has no '${spec.name}'`);
    spec.axes.forEach((kind, axis) => {
      const perm = axisPermutation(c, o, kind, spec.layer);
      if (perm) data = permuteAxis(data!, spec.shape, axis, perm);
    });
    out.set(spec.name, data === values.get(spec.name) ? Float32Array.from(data) : data);
  }
  return out;
}

/** The model with `orders` applied; adapters, if given, are permuted alike. */
export function permuteModel(
  model: Checkpoint,
  orders: ImportanceOrders,
  lora?: { config: LoraConfig; adapters: ReadonlyMap<string, Float32Array> },
): { model: Checkpoint; adapters?: Map<string, Float32Array> } {
  const c = model.config;
  const weights = permuteAll(c, orders, paramSpecs(c), model.weights);
  const adapters = lora ? permuteAll(c, orders, loraParamSpecs(c, lora.config), lora.adapters) : undefined;
  return { model: { config: c, weights }, adapters };
}
