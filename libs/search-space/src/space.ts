/**
 * @module space
 * The one implementation behind every space: points are index vectors ("genes", the
 * encoding before normalization), so sampling, decoding and the variation operators work
 * on numbers and only `fromGenes` builds a SubNetwork.
 */
import { Rng } from '@carve/engine';
import { countParams, LayerChoice, ModelConfig, SubNetwork, subNetworkIssues } from '@carve/model';
import { Dimension, DIMENSION_NAMES, DimensionName, ExportRule, SearchSpace, SearchSpaceError, SpaceValues } from './types';

/** A validated space: what the creation functions hand to `createSpace`. */
export interface SpaceSpec {
  name: string;
  config: ModelConfig;
  /** Ascending, checked against the model. */
  values: SpaceValues;
  /** Heads and MLP width per layer; never under an export rule, which needs uniform layers. */
  layerwise: boolean;
  layerOrder: readonly number[];
  exportRule: ExportRule | undefined;
}

/** One entry of the encoding: a global dimension, or a layer dimension at one model layer. */
interface Slot {
  dim: Dimension;
  layer: number | null;
}

type Genes = number[];

const norm = (i: number, n: number) => (n === 1 ? 0 : i / (n - 1));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function createSpace(spec: SpaceSpec): SearchSpace {
  const { config: c, values, layerOrder, exportRule } = spec;
  const where = `${spec.name} space for '${c.name}'`;
  const perLayer = (name: DimensionName) => spec.layerwise && (name === 'heads' || name === 'mlpHidden');
  const dimensions: Dimension[] = DIMENSION_NAMES.map((name) => ({ name, values: values[name], scope: perLayer(name) ? 'layer' : 'global' }));
  const slots: Slot[] = dimensions.flatMap((dim): Slot[] => (dim.scope === 'layer' ? range(c.nLayer).map((layer) => ({ dim, layer })) : [{ dim, layer: null }]));
  const slotOf = (name: DimensionName, layer = 0) => slots.findIndex((s) => s.dim.name === name) + (perLayer(name) ? layer : 0);
  const [E, H] = [slotOf('embedDim'), slotOf('heads')];

  /** Depth d keeps the d most important layers, in model order. */
  const keptLayers = (depth: number) => layerOrder.slice(0, depth).sort((a, b) => a - b);

  // The export rule couples only the embedding width and the (then global) heads, so the
  // pairs it allows are few enough to list once.
  const pairOk = (e: number, h: number) => exportRule !== 'hf' || e % h === 0;
  const pairs = range(values.embedDim.length).flatMap((e) => range(values.heads.length).filter((h) => pairOk(values.embedDim[e], values.heads[h])).map((h) => [e, h] as const));
  const allowed = (g: Genes) => pairOk(values.embedDim[g[E]], values.heads[g[H]]);
  /** Moves a forbidden (embedDim, heads) pair to the allowed one nearest to (x, y) in the encoding. */
  const repair = (g: Genes, x = norm(g[E], values.embedDim.length), y = norm(g[H], values.heads.length)): Genes => {
    if (allowed(g)) return g;
    const dist = ([e, h]: readonly [number, number]) => (norm(e, values.embedDim.length) - x) ** 2 + (norm(h, values.heads.length) - y) ** 2;
    const best = pairs.reduce((a, b) => (dist(b) < dist(a) ? b : a));
    const out = [...g];
    [out[E], out[H]] = best;
    return out;
  };

  const fromGenes = (g: Genes): SubNetwork => {
    const value = (slot: number) => slots[slot].dim.values[g[slot]];
    const layers = keptLayers(value(slotOf('depth'))).map((index): LayerChoice => ({ index, heads: value(slotOf('heads', index)), mlpHidden: value(slotOf('mlpHidden', index)) }));
    return { embedDim: value(E), headSize: value(slotOf('headSize')), layers };
  };

  /** The genes of a member; entries of dropped layers take the largest value. */
  const toGenes = (s: SubNetwork): Genes =>
    slots.map(({ dim, layer }) => {
      const at = (v: number) => dim.values.indexOf(v);
      if (dim.name === 'embedDim') return at(s.embedDim);
      if (dim.name === 'headSize') return at(s.headSize);
      if (dim.name === 'depth') return at(s.layers.length);
      const chosen = layer === null ? s.layers[0] : s.layers.find((l) => l.index === layer);
      return chosen ? at(chosen[dim.name]) : dim.values.length - 1;
    });

  function issues(s: SubNetwork): string[] {
    const out = subNetworkIssues(c, s);
    const oneOf = (field: string, v: number, list: readonly number[]) => {
      if (!list.includes(v)) out.push(`${field}: ${v} is not one of ${list.join(', ')}`);
    };
    oneOf('embedDim', s.embedDim, values.embedDim);
    oneOf('headSize', s.headSize, values.headSize);
    const depth = s.layers.length;
    const kept = keptLayers(depth);
    if (!values.depth.includes(depth)) out.push(`layers: depth ${depth} is not one of ${values.depth.join(', ')}`);
    else if (s.layers.some((l, i) => l.index !== kept[i])) {
      out.push(`layers: depth ${depth} keeps layers ${kept.join(', ')} (the first ${depth} of layerOrder ${layerOrder.join(', ')}), got ${s.layers.map((l) => l.index).join(', ')}`);
    }
    const uniformWhy = exportRule ? `export rule '${exportRule}' needs the same value in every layer` : `the ${spec.name} space chooses one value for every layer`;
    const checkedHeads = new Set<number>();
    s.layers.forEach((l, i) => {
      for (const field of ['heads', 'mlpHidden'] as const) {
        oneOf(`layers[${i}].${field}`, l[field], values[field]);
        if (!spec.layerwise && i > 0 && l[field] !== s.layers[0][field]) out.push(`layers[${i}].${field}: ${l[field]} differs from layers[0].${field} ${s.layers[0][field]}; ${uniformWhy}`);
      }
      if (!checkedHeads.has(l.heads) && l.heads > 0 && !pairOk(s.embedDim, l.heads)) out.push(`embedDim: ${s.embedDim} is not divisible by layers[${i}].heads ${l.heads} (export rule '${exportRule}')`);
      checkedHeads.add(l.heads);
    });
    return out;
  }

  const member = (s: SubNetwork, op: string): Genes => {
    const found = issues(s);
    if (found.length) throw new SearchSpaceError(`${where}: ${op}: the sub-network is not in the space: ${found.join('; ')}`, 'not_in_space', found);
    return toGenes(s);
  };

  /** All-smallest (or all-largest) values; under an export rule the allowed pair with the fewest (most) parameters. */
  const extreme = (largest: boolean): SubNetwork => {
    const g = slots.map((s) => (largest ? s.dim.values.length - 1 : 0));
    if (allowed(g)) return fromGenes(g);
    const candidates = pairs.map(([e, h]) => fromGenes(Object.assign([...g], { [E]: e, [H]: h })));
    const params = candidates.map((s) => countParams(c, s));
    const best = largest ? Math.max(...params) : Math.min(...params);
    return candidates[params.indexOf(best)];
  };
  const [smallest, largest] = [extreme(false), extreme(true)];

  return {
    name: spec.name,
    config: c,
    layerOrder,
    exportRule,
    dimensions,
    size() {
      const n = (name: DimensionName) => BigInt(values[name].length);
      if (!spec.layerwise) return BigInt(pairs.length) * n('headSize') * n('mlpHidden') * n('depth');
      const perLayerChoices = n('heads') * n('mlpHidden');
      return n('embedDim') * n('headSize') * values.depth.reduce((sum, d) => sum + perLayerChoices ** BigInt(d), 0n);
    },
    smallest: () => smallest,
    largest: () => largest,
    sample(rng: Rng) {
      // Under an export rule the (embedDim, heads) pair is drawn from the allowed pairs, so
      // every draw is a member and no rejection loop is needed.
      const g = slots.map((s, i) => (exportRule && (i === E || i === H) ? 0 : rng.int(s.dim.values.length)));
      if (exportRule) [g[E], g[H]] = pairs[rng.int(pairs.length)];
      return fromGenes(g);
    },
    issues,
    encode: (s: SubNetwork) => member(s, 'encode').map((i, slot) => norm(i, slots[slot].dim.values.length)),
    decode(vector: readonly number[]) {
      const bad = vector.length !== slots.length ? [`expected ${slots.length} entries, got ${vector.length}`] : vector.flatMap((x, i) => (Number.isFinite(x) ? [] : [`entry ${i} is ${x}`]));
      if (bad.length) throw new SearchSpaceError(`${where}: decode: ${bad.join('; ')}`, 'invalid_vector', bad);
      const x = vector.map((v) => Math.min(1, Math.max(0, v)));
      const g = x.map((v, i) => Math.round(v * (slots[i].dim.values.length - 1)));
      return fromGenes(repair(g, x[E], x[H]));
    },
    neighbours(s: SubNetwork) {
      const g = member(s, 'neighbours');
      const kept = new Set(s.layers.map((l) => l.index));
      const out: SubNetwork[] = [];
      slots.forEach((slot, i) => {
        // A dropped layer's entries change nothing until the depth brings it back.
        if (slot.layer !== null && !kept.has(slot.layer)) return;
        for (const j of [g[i] - 1, g[i] + 1]) {
          if (j < 0 || j >= slot.dim.values.length) continue;
          const next = Object.assign([...g], { [i]: j });
          if (allowed(next)) out.push(fromGenes(next));
        }
      });
      return out;
    },
    mutate(s: SubNetwork, rng: Rng, rate: number) {
      if (!(rate >= 0 && rate <= 1)) throw new SearchSpaceError(`${where}: mutate: rate must be in [0, 1], got ${rate}`, 'invalid_rate');
      const g = member(s, 'mutate').map((i, slot) => {
        const n = slots[slot].dim.values.length;
        if (rng.next() >= rate || n === 1) return i;
        const j = rng.int(n - 1); // another value, each equally likely
        return j >= i ? j + 1 : j;
      });
      return fromGenes(repair(g));
    },
    crossover(a: SubNetwork, b: SubNetwork, rng: Rng) {
      const [ga, gb] = [member(a, 'crossover'), member(b, 'crossover')];
      return fromGenes(repair(ga.map((x, i) => (rng.next() < 0.5 ? x : gb[i]))));
    },
  };
}
