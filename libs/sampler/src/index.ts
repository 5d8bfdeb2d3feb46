/**
 * @module @carve/sampler
 * Samplers of sub-networks (random, grid, parameter-bin grid, calibrated grid, sandwich)
 * and parameter histograms to compare them.
 */
export { paramsOf, SamplerError } from './sampler';
export type { Sampler, SamplerContext } from './sampler';
export { calibratedSampler, drawFrom, gridSampler, paramGridSampler, randomSampler, sandwichSampler } from './samplers';
export type { BinOptions } from './samplers';
export { histogramSvg, parameterHistogram } from './histogram';
export type { ParameterHistogram } from './histogram';
export { samplerPlugins } from './plugins';
