/**
 * @module plugins
 * The built-in search spaces as plugins of kind 'search-space'. The pipeline resolves a
 * run spec's space by name through the registry, as it would a third party's.
 */
import { ModelConfig } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { explicitSpace, jointSpace, layerwiseSpace } from './spaces';
import { EXPORT_RULES, SearchSpace } from './types';

/** What a space is built for: the model, and the layer order from importance sorting. */
export interface SearchSpaceContext {
  config: ModelConfig;
  layerOrder?: readonly number[];
}

const values = z.array(z.number().int().positive()).nonempty();
const common = { exportRule: z.enum(EXPORT_RULES as readonly ['hf']).optional() };
const lists = {
  embedDim: values.optional(),
  heads: values.optional(),
  headSize: values.optional(),
  mlpHidden: values.optional(),
  depth: values.optional(),
  minDepth: z.number().int().positive().optional(),
};

export const jointSpacePlugin = definePlugin({
  kind: 'search-space',
  name: 'joint',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'one global embedding width, head count, head size, MLP width and depth (the paper’s space)',
  options: z.object({ ...common, ...lists }),
  create: (options, ctx: SearchSpaceContext): SearchSpace => jointSpace(ctx.config, { ...options, layerOrder: ctx.layerOrder }),
});

export const layerwiseSpacePlugin = definePlugin({
  kind: 'search-space',
  name: 'layerwise',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'global embedding width, head size and depth; heads and MLP width chosen per layer',
  options: z.object({ ...common, ...lists }),
  create: (options, ctx: SearchSpaceContext): SearchSpace => layerwiseSpace(ctx.config, { ...options, layerOrder: ctx.layerOrder }),
});

export const explicitSpacePlugin = definePlugin({
  kind: 'search-space',
  name: 'explicit',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'value lists given in the run spec',
  options: z.object({ ...common, embedDim: values, heads: values, headSize: values, mlpHidden: values, depth: values, layerwise: z.boolean().default(false) }),
  create: ({ embedDim, heads, headSize, mlpHidden, depth, layerwise, exportRule }, ctx: SearchSpaceContext): SearchSpace =>
    explicitSpace(ctx.config, { embedDim, heads, headSize, mlpHidden, depth }, { layerwise, exportRule, layerOrder: ctx.layerOrder }),
});

/** Every built-in search space. */
export const searchSpacePlugins = [jointSpacePlugin, layerwiseSpacePlugin, explicitSpacePlugin];
