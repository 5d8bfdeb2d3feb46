/**
 * @module plugins
 * The built-in pruning baselines as plugins of kind 'baseline'.
 */
import { blockDepthPlugin } from './depth';
import { flapPlugin } from './flap';
import { activationWidthPlugin, magnitudeWidthPlugin } from './width';

export const baselinePlugins = [activationWidthPlugin, magnitudeWidthPlugin, blockDepthPlugin, flapPlugin];
