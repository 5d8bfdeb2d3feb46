/**
 * @module plugins
 * The built-in samplers as plugins of kind 'sampler'.
 */
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { Sampler, SamplerContext } from './sampler';
import { calibratedSampler, drawFrom, gridSampler, paramGridSampler, randomSampler, sandwichSampler } from './samplers';

const bins = z.number().int().min(2).default(21);
const maxDraws = z.number().int().positive().optional();
const plugin = <O extends z.ZodType>(name: string, description: string, options: O, create: (o: z.output<O>, ctx: SamplerContext) => Sampler) =>
  definePlugin({ kind: 'sampler', name, version: '1.0.0', apiVersion: PLUGIN_API_VERSION, description, options, create });

export const samplerPlugins = [
  plugin('random', 'uniform draws from the search space (over-samples small networks)', z.object({}), (_o, ctx) => randomSampler(ctx)),
  plugin('grid', 'points on the diagonal from the smallest to the largest sub-network', z.object({}), (_o, ctx) => gridSampler(ctx)),
  plugin('param-grid', 'one random sub-network per equal-width parameter bin, plus the smallest and largest', z.object({ bins, maxDraws }), (o, ctx) =>
    paramGridSampler(ctx, o),
  ),
  plugin(
    'calibrated',
    'k candidates per parameter bin, the best of each kept by score (perplexity) or weight magnitude',
    z.object({ bins, perBin: z.number().int().positive().default(5), rank: z.enum(['score', 'magnitude']).optional(), maxDraws, draw: z.boolean().default(false) }),
    (o, ctx) => {
      const grid = calibratedSampler(ctx, o);
      // draw: each call picks at random from the grid (for training steps) instead of listing it.
      return o.draw ? drawFrom(grid, ctx) : grid;
    },
  ),
  plugin('sandwich', 'the largest, the smallest and n − 2 random sub-networks per call', z.object({}), (_o, ctx) => sandwichSampler(ctx)),
];
