/**
 * carve-plugin-example: a complete third-party plugin package, in plain CommonJS so it
 * needs no build. package.json declares it ("carve": { "plugins": "index.js", "apiVersion": 1 })
 * and this file exports `plugins`, an array of plugin definitions.
 *
 * - sampler 'fixed-depth': random sub-networks of one depth (option `depth`), to study
 *   widths at a fixed number of layers.
 * - objective 'embed-width': the sub-network's embedding width, minimized.
 *
 * Use it: carve sample --plugin carve-plugin-example --sampler fixed-depth --sampler-options '{"depth":3}' ...
 */
'use strict';
const { UserError } = require('@carve/engine');
const { z } = require('zod');

/** The plugin API this package was written for (carve's PLUGIN_API_VERSION). */
const API_VERSION = 1;

/**
 * Random members of the space, all of depth `depth`: each draw is the space's own uniform
 * draw with its depth entry set, through the space's encoding (so the kept layers follow the
 * space's layer order and every point is a member).
 */
const fixedDepthSampler = {
  kind: 'sampler',
  name: 'fixed-depth',
  version: '0.1.0',
  apiVersion: API_VERSION,
  description: 'random sub-networks that all keep the same number of layers',
  // Every option has a default; the registry rejects unknown keys and reports each bad field.
  options: z.object({ depth: z.number().int().min(1).default(1) }),
  create(options, context) {
    const { space, rng } = context;
    const depths = space.dimensions.find((d) => d.name === 'depth').values;
    // What the schema cannot know: whether this space has the depth. A UserError names it.
    if (!depths.includes(options.depth)) {
      throw new UserError(`depth ${options.depth} is not one of the space's depths ${depths.join(', ')}`, 'invalid_depth');
    }
    // The encoding has one entry per global dimension and nLayer per layer dimension, in order.
    const entries = (d) => (d.scope === 'layer' ? space.config.nLayer : 1);
    const dims = space.dimensions;
    const at = dims.slice(0, dims.findIndex((d) => d.name === 'depth')).reduce((n, d) => n + entries(d), 0);
    const value = depths.length === 1 ? 0 : depths.indexOf(options.depth) / (depths.length - 1);
    return {
      name: 'fixed-depth',
      async sample(n) {
        if (!Number.isInteger(n) || n < 1) throw new UserError(`sampler 'fixed-depth': the number of sub-networks must be a positive integer, got ${n}`, 'sampler_failed');
        return Array.from({ length: n }, () => {
          const vector = space.encode(space.sample(rng));
          vector[at] = value;
          return space.decode(vector);
        });
      },
    };
  },
};

/** The embedding width: a crude proxy for memory bandwidth per token. */
const embedWidthObjective = {
  kind: 'objective',
  name: 'embed-width',
  version: '0.1.0',
  apiVersion: API_VERSION,
  description: 'the embedding width of the sub-network (minimized)',
  options: z.object({}),
  create: () => ({ name: 'embed-width', direction: 'minimize', evaluate: (s) => s.embedDim }),
};

module.exports = { plugins: [fixedDepthSampler, embedWidthObjective] };
