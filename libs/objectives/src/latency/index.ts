/**
 * @module latency
 * Latency of sub-networks: measured in ONNX Runtime, predicted by a fitted model, and both
 * as objectives.
 */
export { defaultSeqLen, deviceInfo, latencyStats, latencyTokens, measureLatencies, measureLatency, percentile, resolveLatencySettings } from './measure';
export type { DeviceInfo, LatencyReport, LatencySettings, LatencyStats } from './measure';
export { evaluatePredictor, featureNames, fitLatencyPredictor, latencyFeatures, nnls } from './predictor';
export type { FeatureShape, LatencyPhase, LatencyPredictor, LatencySample, PredictorEvaluation, PredictorOptions } from './predictor';
export { latencyObjective, latencyObjectivePlugins, predictedLatencyObjective } from './plugins';
export type { PredictedLatencyObjective } from './plugins';
