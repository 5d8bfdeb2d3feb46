/**
 * @module plugins
 * The built-in importance scorers as plugins of kind 'importance'. An instance is the
 * scorer with the parsed options bound as its defaults.
 */
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { MagnitudeOptions } from './magnitude';
import { activationScorer, bindScorer, ImportanceScorer, magnitudeScorer } from './scorer';
import { ScoringOptions } from './scoring';
import { STATISTICS } from './statistics';

export const activationImportancePlugin = definePlugin({
  kind: 'importance',
  name: activationScorer.name,
  version: activationScorer.version,
  apiVersion: PLUGIN_API_VERSION,
  description: activationScorer.description,
  options: z.object({
    statistic: z.enum(STATISTICS as readonly ['mean-abs', 'l2', 'variance']).default('mean-abs'),
    layerScoring: z.enum(['block', 'drop']).default('block'),
    batchSize: z.number().int().positive().default(8),
  }),
  create: (options): ImportanceScorer<ScoringOptions> => bindScorer(activationScorer, options),
});

/** Weight-magnitude importance (no calibration data); `norm` picks l1 or l2. */
export const magnitudeImportancePlugin = definePlugin({
  kind: 'importance',
  name: magnitudeScorer.name,
  version: magnitudeScorer.version,
  apiVersion: PLUGIN_API_VERSION,
  description: magnitudeScorer.description,
  options: z.object({ norm: z.enum(['l1', 'l2']).default('l2') }),
  create: (options): ImportanceScorer<MagnitudeOptions> => bindScorer(magnitudeScorer, options),
});

/** Every built-in importance plugin, for registering them together. */
export const importancePlugins = [activationImportancePlugin, magnitudeImportancePlugin];
