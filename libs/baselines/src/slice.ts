/**
 * @module slice
 * Pruning by an order: sort the model's units by a baseline's own scores (the
 * function-preserving permutation), then keep leading slices in the target's shape. Layers
 * come from the scores too: a target of d layers keeps the baseline's d most important ones,
 * in model order, so no baseline borrows the method's layer choice.
 */
import { ImportanceOrders, permuteModel } from '@carve/importance';
import { Checkpoint, countParams, extractSubNetwork, headsOf, isMultiHead, queryGroupsOf, SubNetwork } from '@carve/model';
import { PrunedModel } from './baseline';

/**
 * The target's widths, on the `target.layers.length` layers that `layerOrder` (most
 * important first) ranks highest. Layer j of the result takes the widths of the target's
 * layer j, so a joint (uniform) target keeps its shape exactly.
 */
export function retargetLayers(target: SubNetwork, layerOrder: readonly number[]): SubNetwork {
  const indices = layerOrder.slice(0, target.layers.length).sort((a, b) => a - b);
  return { ...target, layers: target.layers.map((l, j) => ({ ...l, index: indices[j] })) };
}

/** Permutes `model` by `orders` and extracts `target` (a sub-network of the permuted model) as a model of its own. */
export function sliceByOrders(model: Checkpoint, orders: ImportanceOrders, target: SubNetwork, name: string): PrunedModel {
  const sorted = permuteModel(model, orders).model;
  const checkpoint = extractSubNetwork(sorted, target, { name });
  return { checkpoint, params: countParams(checkpoint.config), kept: keptUnits(model, orders, target) };
}

/** The original indices of what `target` keeps after `orders`: layers, query heads per layer, neurons per layer. */
export function keptUnits(model: Checkpoint, orders: ImportanceOrders, target: SubNetwork): PrunedModel['kept'] {
  const c = model.config;
  const heads = target.layers.map(({ index: l, heads: kept }) => {
    const { groups, queries } = orders.heads[l];
    const perGroup = headsOf(c, l) / queryGroupsOf(c, l);
    // Under MHA a head is a group of one; under GQA every group stays and keeps its leading queries.
    const keptGroups = isMultiHead(c) ? groups.slice(0, kept) : groups;
    const queriesKept = isMultiHead(c) ? 1 : kept / queryGroupsOf(c, l);
    return keptGroups.flatMap((oldGroup, i) => queries[i].slice(0, queriesKept).map((oldQuery) => oldGroup * perGroup + oldQuery));
  });
  const neurons = target.layers.map(({ index: l, mlpHidden }) => orders.neurons[l].slice(0, mlpHidden));
  return { layers: target.layers.map((l) => l.index), heads, neurons, channels: target.embedDim };
}
