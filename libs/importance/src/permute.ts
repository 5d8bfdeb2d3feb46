/**
 * @module permute
 * Applies importance orders to a model's weights (and LoRA adapters): every axis that indexes
 * embedding channels, heads or neurons is permuted the same way everywhere, so the permuted
 * model computes exactly the same function, with the most important units first.
 */
import { AxisKind, Checkpoint, fromRaw, headsOf, loraParamSpecs, LoraConfig, ModelConfig, paramSpecs, queryGroupsOf, rawOf, WeightValues } from '@carve/model';
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
export function permuteAxis<A extends Float32Array | Uint16Array>(data: A, shape: readonly number[], axis: number, perm: readonly number[]): A {
  if (perm.length !== shape[axis]) throw new Error(`permutation of ${perm.length} indices for an axis of ${shape[axis]}`);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = shape[axis];
  const out = new (data.constructor as new (n: number) => A)(data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const from = (o * n + perm[i]) * inner;
      out.set(data.subarray(from, from + inner), (o * n + i) * inner);
    }
  }
  return out;
}

/** Permutes every array of `values` (16-bit weights stay 16-bit: permuting moves their bits). */
function permuteAll<V extends WeightValues>(
  c: ModelConfig,
  o: ImportanceOrders,
  specs: readonly { name: string; shape: number[]; axes: AxisKind[]; layer?: number }[],
  values: ReadonlyMap<string, V>,
): Map<string, V> {
  const out = new Map<string, V>();
  for (const spec of specs) {
    const value = values.get(spec.name);
    if (!value) throw new Error(`permute: model '${c.name}' has no '${spec.name}'`);
    let data = rawOf(value);
    spec.axes.forEach((kind, axis) => {
      const perm = axisPermutation(c, o, kind, spec.layer);
      if (perm) data = permuteAxis(data, spec.shape, axis, perm);
    });
    out.set(spec.name, fromRaw(data === rawOf(value) ? data.slice() : data) as V);
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
