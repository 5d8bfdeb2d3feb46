/**
 * @module plugins
 * The built-in objectives as plugins of kind 'objective'.
 */
import { countParams, flopsPerToken } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { Objective, ObjectiveContext } from './objective';

export const paramsObjective = definePlugin({
  kind: 'objective',
  name: 'params',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'parameters of the sub-network, embeddings included (minimized)',
  options: z.object({}),
  create: (_options, ctx: ObjectiveContext): Objective => ({ name: 'params', direction: 'minimize', evaluate: (s) => countParams(ctx.config, s) }),
});

export const flopsObjective = definePlugin({
  kind: 'objective',
  name: 'flops',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'forward FLOPs per token at a context length (minimized)',
  options: z.object({ seqLen: z.number().int().positive().optional() }),
  create: (options, ctx: ObjectiveContext): Objective => ({
    name: 'flops',
    direction: 'minimize',
    evaluate: (s) => flopsPerToken(ctx.config, s, options.seqLen ?? ctx.config.blockSize),
  }),
});

export const objectivePlugins = [paramsObjective, flopsObjective];
