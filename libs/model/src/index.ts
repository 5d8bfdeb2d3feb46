/**
 * @module @carve/model
 * Model families and configs, the graph of any sub-network, LoRA, checkpoints and
 * tokenizers.
 */
export * from './config';
export * from './subnetwork';
export * from './params';
export { axisView, paramView, sliceHost, sliceParam, isCut } from './slicing';
export type { AxisView } from './slicing';
export * from './lora';
export { applyRope, ropeFrequencies, ropeTables } from './rope';
export type { RopeTables } from './rope';
export { buildCheckpointGraph, buildModelGraph } from './model-graph';
export type { ModelGraph, ModelGraphOptions } from './model-graph';
export { assertWeightsMatch, CheckpointError, float32Of, float32Weights, fromRaw, HalfValues, halfParamsOf, rawOf, transpose2d } from './checkpoint/checkpoint';
export type { Checkpoint, WeightValues } from './checkpoint/checkpoint';
export { loadLlama2c } from './checkpoint/llama2c';
export { initWeights, weightFeeds } from './init';
export { extractSubNetwork } from './extract';
export type { ExtractOptions } from './extract';
export { countParams, flopsPerToken } from './count';
export { weightMagnitude } from './magnitude';
export { LanguageModel } from './language-model';
export type { GenerateOptions, LanguageModelOptions, LossResult } from './language-model';
export { argmax, sampleToken } from './sampling';
export type { SamplingOptions } from './sampling';
export * from './tokenizer';
export { loadCheckpoint, loadHfCheckpoint, saveHfCheckpoint } from './checkpoint/hf';
export type { SaveHfOptions } from './checkpoint/hf';
export { configFromHf, configToHf, HF_MODEL_TYPES } from './checkpoint/hf-config';
export { hfTensorShapes } from './checkpoint/hf-tensors';
export { openSafetensors, writeSafetensors } from './checkpoint/safetensors';
export type { SafetensorsEntry, SafetensorsFile, TensorData, TensorSource } from './checkpoint/safetensors';
export { openShardedSafetensors, writeShardedSafetensors, SAFETENSORS_INDEX } from './checkpoint/safetensors-sharded';
export { interleavedToHalfOrder, toHalfRope, toInterleavedRope } from './checkpoint/rope-layout';
export { ggufIssues, readGguf, saveGguf } from './checkpoint/gguf';
export type { GgufFile, GgufType, GgufValue, SaveGgufOptions } from './checkpoint/gguf';
export { PRESETS, presetConfig, presetNames } from './families';
export type { Preset } from './families';
export { writeFileAtomic, writeJsonAtomic, writeTextAtomic } from './checkpoint/atomic-write';
export { modelToOnnx, onnxGraph, saveOnnx, type OnnxExportOptions } from './onnx-export';
