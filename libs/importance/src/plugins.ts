/**
 * @module plugins
 * The built-in importance scorer as a plugin of kind 'importance'.
 */
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { activationScorer, ImportanceScorer } from './scorer';
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
  // The instance is the scorer with these options bound.
  create: (options): ImportanceScorer<ScoringOptions> => ({ ...activationScorer, defaults: options }),
});

export const importancePlugins = [activationImportancePlugin];
