/**
 * @module @carve/search-space
 * Search spaces over a model's sub-networks (joint, layer-wise, explicit): sampling,
 * membership checks, a numeric encoding, and the neighbours, mutation and crossover that
 * optimizers use.
 */
export { explicitSpace, jointSpace, layerwiseSpace } from './spaces';
export { defaultValues } from './values';
export { DIMENSION_NAMES, EXPORT_RULES, SearchSpaceError } from './types';
export type { DefaultSpaceOptions, Dimension, DimensionName, ExplicitSpaceOptions, ExportRule, SearchSpace, SpaceOptions, SpaceValues } from './types';
export { searchSpacePlugins, jointSpacePlugin, layerwiseSpacePlugin, explicitSpacePlugin } from './plugins';
export type { SearchSpaceContext } from './plugins';
