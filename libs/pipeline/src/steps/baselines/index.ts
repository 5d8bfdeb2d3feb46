/**
 * @module steps/baselines
 * Pruning baselines and the paper's fine-tuned sub-networks, measured at the exported models' sizes.
 */
export { BASELINES_FILE, runBaselines, subNetworkShare } from './run-baselines';
export type { BaselineMethod, BaselineModel, BaselinesFile, BaselinesOptions, BaselineTarget, FineTuneSettings } from './run-baselines';
