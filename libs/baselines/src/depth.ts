/**
 * @module depth
 * Depth pruning in the manner of ShortGPT (Men et al., 2024): whole layers removed, those
 * whose block changes its input least (block importance, 1 − cos(input, output)) first, and
 * every width kept. Depth is the only knob, so the result matches the target's parameter
 * count, not its shape: the deepest model that is no larger than the target.
 */
import { descendingOrder, scoreImportance } from '@carve/importance';
import { assertSubNetwork, Checkpoint, countParams, extractSubNetwork, fullSubNetwork, SubNetwork } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { BaselineContext, PrunedModel, PruningBaseline, requireCalibration } from './baseline';

/** The full-width sub-network of `model` that keeps the first `depth` layers of `layerOrder`, in model order. */
export function keepLayers(model: Checkpoint, layerOrder: readonly number[], depth: number): SubNetwork {
  const full = fullSubNetwork(model.config);
  const kept = new Set(layerOrder.slice(0, depth));
  return { ...full, layers: full.layers.filter((l) => kept.has(l.index)) };
}

/** The most layers, in `layerOrder`'s order of importance, that fit in `maxParams` (at least one). */
export function depthWithin(model: Checkpoint, layerOrder: readonly number[], maxParams: number): SubNetwork {
  for (let depth = layerOrder.length; depth > 1; depth--) {
    const s = keepLayers(model, layerOrder, depth);
    if (countParams(model.config, s) <= maxParams) return s;
  }
  return keepLayers(model, layerOrder, 1);
}

export const blockDepthPlugin = definePlugin({
  kind: 'baseline',
  name: 'block-depth',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'ShortGPT-style depth pruning: the layers of lowest block importance (or smallest loss increase when dropped) removed until the model fits the target size',
  options: z.object({ layerScoring: z.enum(['block', 'drop']).default('block'), batchSize: z.number().int().positive().default(8) }),
  create: (o): PruningBaseline => ({
    name: 'block-depth',
    needsCalibration: true,
    async prune(model: Checkpoint, target: SubNetwork, context: BaselineContext): Promise<PrunedModel> {
      assertSubNetwork(model.config, target);
      const calibration = requireCalibration('block-depth', model, context);
      const scores = await scoreImportance(model, calibration, { layerScoring: o.layerScoring, batchSize: o.batchSize, runtime: context.runtime });
      const kept = depthWithin(model, descendingOrder(scores.layers), countParams(model.config, target));
      const checkpoint = extractSubNetwork(model, kept, { name: `${model.config.name}-block-depth` });
      return {
        checkpoint,
        params: countParams(checkpoint.config),
        kept: {
          layers: kept.layers.map((l) => l.index),
          heads: kept.layers.map((l) => Array.from({ length: l.heads }, (_, h) => h)),
          neurons: kept.layers.map((l) => Array.from({ length: l.mlpHidden }, (_, n) => n)),
          channels: kept.embedDim,
        },
      };
    },
  }),
});
