/**
 * @module width
 * Width pruning: heads, neurons and embedding channels ranked once, the lowest removed to the
 * target's shape. By activation statistics on calibration text (Minitron's width axes, without
 * its distillation: every baseline gets the same LoRA fine-tuning afterwards), or by weight
 * magnitude (the data-free baseline of structured-pruning papers).
 */
import { importanceOrders, ImportanceScores, OrderScope, scoreImportance, scoreMagnitude, Statistic, STATISTICS } from '@carve/importance';
import { assertSubNetwork, Checkpoint, SubNetwork } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { BaselineContext, PrunedModel, PruningBaseline, requireCalibration } from './baseline';
import { retargetLayers, sliceByOrders } from './slice';

/** A width-pruning baseline from a scoring function: one order per the scores, then leading slices. */
function widthBaseline(
  name: string,
  needsCalibration: boolean,
  scope: OrderScope,
  score: (model: Checkpoint, context: BaselineContext) => Promise<ImportanceScores>,
): PruningBaseline {
  return {
    name,
    needsCalibration,
    async prune(model: Checkpoint, target: SubNetwork, context: BaselineContext): Promise<PrunedModel> {
      assertSubNetwork(model.config, target);
      const orders = importanceOrders(model.config, await score(model, context), scope);
      return sliceByOrders(model, orders, retargetLayers(target, orders.layers), `${model.config.name}-${name}`);
    },
  };
}

const scope = z.enum(['global', 'per-layer']).default('global');

export const activationWidthPlugin = definePlugin({
  kind: 'baseline',
  name: 'activation-width',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'Minitron-style width pruning: heads, neurons and channels ranked by activation statistics on calibration text, layers by block importance',
  options: z.object({
    statistic: z.enum(STATISTICS as readonly [Statistic, ...Statistic[]]).default('mean-abs'),
    scope,
    batchSize: z.number().int().positive().default(8),
  }),
  create: (o): PruningBaseline =>
    widthBaseline('activation-width', true, o.scope, (model, context) =>
      scoreImportance(model, requireCalibration('activation-width', model, context), { statistic: o.statistic, batchSize: o.batchSize, runtime: context.runtime }),
    ),
});

export const magnitudeWidthPlugin = definePlugin({
  kind: 'baseline',
  name: 'magnitude-width',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'structured magnitude pruning: heads, neurons and channels ranked by the norm of the weights they read and write, layers by their weight norm; no data',
  options: z.object({ norm: z.enum(['l1', 'l2']).default('l2'), scope }),
  create: (o): PruningBaseline => widthBaseline('magnitude-width', false, o.scope, async (model) => scoreMagnitude(model, { norm: o.norm })),
});
