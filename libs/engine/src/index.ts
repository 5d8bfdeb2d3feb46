/**
 * @module @carve/engine
 * The numerical engine: build graphs, differentiate them, run them in ONNX Runtime, and
 * update parameters with AdamW.
 */
export * from './dims';
export * from './dtype';
export * from './half';
export { GraphBuildError } from './errors';
export { isUserError, UserError } from '@carve/errors';
export { Graph, Value } from './graph';
export type { GradientRegion, Node, OpOptions } from './graph';
export type { AttrType, AttrValue, Attrs, Builder, GradientDef, OpDef, ValueInfo } from './op-def';
export { OP_TABLE, getOpDef } from './ops';
export * as F from './builder';
export type { Operand } from './builder';
export { gradients } from './autodiff';
export type { GradientOptions } from './autodiff';
export { serializeModel, OPSET, IR_VERSION } from './onnx/serialize';
export type { SerializeOptions } from './onnx/serialize';
export { CompiledGraph, Runtime } from './runtime';
export type { RuntimeOptions } from './runtime';
export { DEVICES, probeCuda, resolveDevice } from './device';
export type { CudaProbe, Device, ResolvedDevice } from './device';
export { Tensor } from './tensor';
export { Rng } from './rng';
export { assertGradients, buildCaseGraph, checkGradients } from './testing/gradcheck';
export type { CaseGraph, GradCheckCase, GradCheckInput, GradCheckOptions, GradCheckResult } from './testing/gradcheck';
export { AdamW } from './optim/adamw';
export type { AdamWOptions, AdamWState } from './optim/adamw';
export { clipGradNorm } from './optim/clip';
export { warmupCosine } from './optim/schedule';
export type { WarmupCosineOptions } from './optim/schedule';
