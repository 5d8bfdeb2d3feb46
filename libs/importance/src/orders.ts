/**
 * @module orders
 * Orders from scores: which channel, KV group, query and neuron comes first after sorting,
 * and which layers a depth-d sub-network keeps. Every order maps a new position to the old
 * index it takes its weights from.
 */
import { ModelConfig } from '@carve/model';
import { ImportanceScores, ScoringError } from './scoring';
import { descendingOrder } from './statistics';

export interface HeadOrder {
  /** KV groups, new → old (under MHA a group is one head). */
  groups: number[];
  /** For each new group, its queries new → old within the group. */
  queries: number[][];
}

export interface ImportanceOrders {
  /** Embedding channels, new → old. */
  channels: number[];
  /** Per layer. */
  heads: HeadOrder[];
  /** Per layer: MLP neurons, new → old. */
  neurons: number[][];
  /** Layers from the most to the least important: depth d keeps the first d, in model order. */
  layers: number[];
}

/**
 * 'global' sums each layer's head and neuron scores into one order applied to every layer
 * (the and the paper's default); 'per-layer' orders each layer by its own scores.
 */
export type OrderScope = 'global' | 'per-layer';

const sum = (rows: readonly (readonly number[])[]): number[] => rows[0].map((_, i) => rows.reduce((a, r) => a + r[i], 0));

function headOrder(scores: readonly (readonly number[])[]): HeadOrder {
  const groups = descendingOrder(scores.map((queries) => queries.reduce((a, b) => a + b, 0)));
  return { groups, queries: groups.map((g) => descendingOrder(scores[g])) };
}

/** The orders that sort `scores` (from scoreImportance) highest first. */
export function importanceOrders(c: ModelConfig, scores: ImportanceScores, scope: OrderScope = 'global'): ImportanceOrders {
  let heads: HeadOrder[];
  let neurons: number[][];
  if (scope === 'global') {
    if (c.layerHeads || c.layerMlpHidden) throw new ScoringError(`model '${c.name}' has layers of different widths: one global order cannot fit them; use per-layer orders`);
    const summedHeads = scores.heads[0].map((_, g) => sum(scores.heads.map((layer) => layer[g])));
    const h = headOrder(summedHeads);
    const n = descendingOrder(sum(scores.neurons));
    heads = scores.heads.map(() => h);
    neurons = scores.neurons.map(() => n);
  } else {
    heads = scores.heads.map(headOrder);
    neurons = scores.neurons.map((layer) => descendingOrder(layer));
  }
  return { channels: descendingOrder(scores.channels), heads, neurons, layers: descendingOrder(scores.layers) };
}
