/**
 * Cross-checks whole models built by `buildModelGraph` against an independent
 * implementation in TensorFlow.js (cpu backend, float32 on both sides), written from the
 * math of each family rather than translated from our graph: heads are column slices
 * attended one at a time, RoPE is a per-position rotation matrix built on the host from the
 * (i, j) pairs and frequencies, sub-networks are the standalone models of weights sliced on
 * the host by index lists. The engine side differentiates with `gradients()` and runs in
 * ONNX Runtime; TF.js differentiates with `tf.valueAndGrads`.
 *
 * Compared per tensor: the logits, the loss and the gradient of every parameter (and LoRA
 * adapter), with the engine cross-check's measure
 *   relErr(a, b) = max_i |a_i − b_i| / max(max_i |b_i|, 1e-6) ≤ 1e-4,
 * `a` the engine's result and `b` TF.js's. For a sub-network the engine's gradients are
 * with respect to the full-size parameters: TF.js's gradients of the sliced weights are
 * scattered into zeros of the full shape, and the entries outside the kept block must be
 * exactly 0.
 */
// The union package's Node build registers TF.js's gradients; tfjs-core's CommonJS build alone does not.
import { maxAbs, relErr, tf, useTfCpuBackend } from '@carve/test-tfjs';
import { gradients, Rng, Runtime, Tensor } from '@carve/engine';
import { ModelConfig, ModelConfigInput, resolveConfig } from './config';
import { WeightValues } from './checkpoint/checkpoint';
import { initWeights, weightFeeds } from './init';
import { LoraConfig, loraParamSpecs, mergeLora } from './lora';
import { buildModelGraph } from './model-graph';
import { paramSpecs } from './params';
import { SubNetwork } from './subnetwork';

const RTOL = 1e-4;
const B = 2;
const T = 7;
/** Added to masked attention scores; exp underflows to exactly 0 in float32. */
const NEG = -1e9;

// --- the models -----------------------------------------------------------------------------

/** (a) LLaMA: RMSNorm, rotate-half RoPE, 4 query heads over 2 KV groups, SwiGLU, untied head. headSize 8 ≠ nEmbd / nHead, so q is wider than the residual. */
const LLAMA: ModelConfigInput = { name: 'llama-tiny', family: 'llama', vocabSize: 37, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, headSize: 8, mlpHidden: 24, blockSize: 16 };
/** (b) llama2.c: the same with interleaved RoPE pairs and the head tied to the embedding; a small θ so every pair turns visibly over 7 positions. */
const LLAMA2C: ModelConfigInput = { ...LLAMA, name: 'llama2c-tiny', ropeLayout: 'interleaved', tiedEmbeddings: true, ropeTheta: 100 };
/** (c) GPT-2: LayerNorm, learned positions, tanh GELU, biases, tied head (MHA, headSize 4, MLP 64). */
const GPT2: ModelConfigInput = { name: 'gpt2-tiny', family: 'gpt2', vocabSize: 37, nEmbd: 16, nLayer: 2, nHead: 4, blockSize: 16 };
/** (d) GPT-NeoX: parallel residual, erf GELU, biases, untied head, RoPE on 4 of each head's 8 dimensions. */
const NEOX: ModelConfigInput = { name: 'neox-tiny', family: 'gpt_neox', vocabSize: 37, nEmbd: 16, nLayer: 2, nHead: 2, rotaryFraction: 0.5, mlpHidden: 32, ropeTheta: 1000, blockSize: 16 };

const LORA: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'k', 'v', 'o', 'mlp', 'head'] };

// --- the reference's own view of the parameters ----------------------------------------------

type Axis = 'vocab' | 'position' | 'embed' | 'q' | 'kv' | 'mlp' | 'rank';
type Linear = 'q' | 'k' | 'v' | 'o' | 'fc' | 'proj' | 'gate' | 'up' | 'down' | 'head';

/** [input, output] of each linear layer: heads are groups × queries per group × head dims for q, groups × head dims for k and v. */
const LINEAR_AXES: Record<Linear, [Axis, Axis]> = {
  q: ['embed', 'q'],
  k: ['embed', 'kv'],
  v: ['embed', 'kv'],
  o: ['q', 'embed'],
  fc: ['embed', 'mlp'],
  gate: ['embed', 'mlp'],
  up: ['embed', 'mlp'],
  proj: ['mlp', 'embed'],
  down: ['mlp', 'embed'],
  head: ['embed', 'vocab'],
};

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const isMha = (c: ModelConfig): boolean => c.nQueryGroups === c.nHead;
const fullRotary = (c: ModelConfig): number => (c.position === 'rope' ? Math.round(c.headSize * c.rotaryFraction) : 0);

/** The linears of a model, as [prefix, kind, layer], each with a bias or not. */
function linearsOf(c: ModelConfig): { prefix: string; kind: Linear; layer?: number; bias: boolean }[] {
  const out: { prefix: string; kind: Linear; layer?: number; bias: boolean }[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    for (const kind of ['q', 'k', 'v', 'o'] as const) out.push({ prefix: `layers.${l}.attn.${kind}`, kind, layer: l, bias: kind === 'o' ? c.bias : c.qkvBias });
    for (const kind of c.mlp === 'swiglu' ? (['gate', 'up', 'down'] as const) : (['fc', 'proj'] as const)) out.push({ prefix: `layers.${l}.mlp.${kind}`, kind, layer: l, bias: c.bias });
  }
  if (!c.tiedEmbeddings) out.push({ prefix: 'lm_head', kind: 'head', bias: false });
  return out;
}

/** Every parameter of the model with what its axes index (the reference's own list). */
function referenceParams(c: ModelConfig): Map<string, { axes: Axis[]; layer?: number }> {
  const out = new Map<string, { axes: Axis[]; layer?: number }>([['wte', { axes: ['vocab', 'embed'] }]]);
  if (c.position === 'learned') out.set('wpe', { axes: ['position', 'embed'] });
  const norm = (prefix: string, layer?: number) => {
    out.set(`${prefix}.weight`, { axes: ['embed'], layer });
    if (c.norm === 'layernorm') out.set(`${prefix}.bias`, { axes: ['embed'], layer });
  };
  for (let l = 0; l < c.nLayer; l++) {
    norm(`layers.${l}.norm_1`, l);
    norm(`layers.${l}.norm_2`, l);
  }
  norm('norm_f');
  for (const s of linearsOf(c)) {
    out.set(`${s.prefix}.weight`, { axes: LINEAR_AXES[s.kind], layer: s.layer });
    if (s.bias) out.set(`${s.prefix}.bias`, { axes: [LINEAR_AXES[s.kind][1]], layer: s.layer });
  }
  return out;
}

/** The adapters of every linear (LoRA targeting all modules): A [in, r] and B [r, out]. */
function referenceAdapters(c: ModelConfig): Map<string, { axes: Axis[]; layer?: number }> {
  const out = new Map<string, { axes: Axis[]; layer?: number }>();
  for (const s of linearsOf(c)) {
    const [inAxis, outAxis] = LINEAR_AXES[s.kind];
    out.set(`${s.prefix}.lora_a`, { axes: [inAxis, 'rank'], layer: s.layer });
    out.set(`${s.prefix}.lora_b`, { axes: ['rank', outAxis], layer: s.layer });
  }
  return out;
}

function axisSize(c: ModelConfig, axis: Axis, rank: number): number {
  const sizes: Record<Axis, number> = {
    vocab: c.vocabSize,
    position: c.blockSize,
    embed: c.nEmbd,
    q: c.nHead * c.headSize,
    kv: c.nQueryGroups * c.headSize,
    mlp: c.mlpHidden,
    rank,
  };
  return sizes[axis];
}

// --- sub-networks, from their stated semantics ---------------------------------------------

interface LayerKeep {
  index: number;
  heads: number;
  mlpHidden: number;
}

/** The whole model, as a choice of sizes. */
function wholeModel(c: ModelConfig): SubNetwork {
  return { embedDim: c.nEmbd, headSize: c.headSize, layers: range(c.nLayer).map((index) => ({ index, heads: c.nHead, mlpHidden: c.mlpHidden })) };
}

/**
 * The dimensions of a full head that a smaller head keeps: with full rotate-half RoPE
 * dimension i pairs with i + hs/2, so the front of both halves; otherwise the first ones.
 */
function keptHeadDims(c: ModelConfig, s: SubNetwork): number[] {
  const [H, h] = [c.headSize, s.headSize];
  if (c.position === 'rope' && c.ropeLayout === 'half' && fullRotary(c) === H) return [...range(h / 2), ...range(h / 2).map((i) => H / 2 + i)];
  return range(h);
}

/** Full query heads kept, in order: under GQA every group keeps its first queries; under MHA the first heads. */
function keptQueryHeads(c: ModelConfig, keep: LayerKeep): number[] {
  if (isMha(c)) return range(keep.heads);
  const G = c.nQueryGroups;
  return range(G).flatMap((g) => range(keep.heads / G).map((j) => g * (c.nHead / G) + j));
}

/** Full KV heads kept: every group under GQA, the first heads under MHA. */
function keptKvHeads(c: ModelConfig, keep: LayerKeep): number[] {
  return isMha(c) ? range(keep.heads) : range(c.nQueryGroups);
}

/** Indices of the full axis that the sub-network keeps, in the sub-network's order. */
function keptIndices(c: ModelConfig, s: SubNetwork, axis: Axis, keep: LayerKeep | undefined, rank: number): number[] {
  const dims = keptHeadDims(c, s);
  const heads = (hs: number[]) => hs.flatMap((n) => dims.map((d) => n * c.headSize + d));
  switch (axis) {
    case 'vocab':
    case 'position':
    case 'rank':
      return range(axisSize(c, axis, rank));
    case 'embed':
      return range(s.embedDim);
    case 'mlp':
      return range(keep!.mlpHidden);
    case 'q':
      return heads(keptQueryHeads(c, keep!));
    case 'kv':
      return heads(keptKvHeads(c, keep!));
  }
}

interface HostParam {
  shape: number[];
  data: Float32Array;
}

/** How one full parameter maps to the sub-network: its kept indices per axis, or none if its layer is dropped. */
interface ParamCut {
  fullShape: number[];
  kept?: number[][];
}

function cutOf(c: ModelConfig, s: SubNetwork, info: { axes: Axis[]; layer?: number }, rank: number): ParamCut {
  const fullShape = info.axes.map((a) => axisSize(c, a, rank));
  const keep = info.layer === undefined ? undefined : s.layers.find((l) => l.index === info.layer);
  if (info.layer !== undefined && !keep) return { fullShape };
  return { fullShape, kept: info.axes.map((a) => keptIndices(c, s, a, keep, rank)) };
}

/** Position of full element (i, j) (or i) in the flat array. */
function flatIndex(shape: number[], idx: number[]): number {
  return idx.length === 1 ? idx[0] : idx[0] * shape[1] + idx[1];
}

/** Calls f(fullOffset, subOffset) for each kept element. */
function forKept(cut: ParamCut, f: (full: number, sub: number) => void): void {
  const kept = cut.kept!;
  if (kept.length === 1) kept[0].forEach((i, o) => f(i, o));
  else kept[0].forEach((i, r) => kept[1].forEach((j, k) => f(flatIndex(cut.fullShape, [i, j]), r * kept[1].length + k)));
}

function sliceOut(data: Float32Array, cut: ParamCut): HostParam {
  const kept = cut.kept!;
  const out = new Float32Array(kept.reduce((n, k) => n * k.length, 1));
  forKept(cut, (full, sub) => (out[sub] = data[full]));
  return { shape: kept.map((k) => k.length), data: out };
}

/** The sub-network's gradient placed in zeros of the full shape. */
function scatterIn(sub: Float32Array | undefined, cut: ParamCut): Float32Array {
  const out = new Float32Array(cut.fullShape.reduce((a, b) => a * b, 1));
  if (sub && cut.kept) forKept(cut, (full, i) => (out[full] = sub[i]));
  return out;
}

/** Largest |a_i| over the entries outside the kept block. */
function maxOutside(a: Float32Array, cut: ParamCut): number {
  const inside = new Uint8Array(a.length);
  if (cut.kept) forKept(cut, (full) => (inside[full] = 1));
  let m = 0;
  for (let i = 0; i < a.length; i++) if (!inside[i]) m = Math.max(m, Number.isNaN(a[i]) ? Infinity : Math.abs(a[i]));
  return m;
}

// --- the reference model in TF.js ------------------------------------------------------------

interface RefLayer {
  prefix: string;
  heads: number;
  groups: number;
}

interface RefModel {
  c: ModelConfig;
  embed: number;
  headSize: number;
  layers: RefLayer[];
  /** Per-position rotation of one head, [T, hs, hs], row-vector convention (y = x·R); undefined without RoPE. */
  rotation?: Float32Array;
  /** α / r when the adapters are part of the model. */
  loraScale?: number;
}

/**
 * The rotation matrices of a (sub-network) head of size hs: pair p is (p, p + rotary/2) for
 * 'half' and (2p, 2p+1) for 'interleaved'; it turns by t·θ^(−2p/R) at position t, R the
 * FULL head's rotary width (a smaller head keeps the full head's frequencies). Dimensions
 * past the rotary ones pass through.
 */
function rotationMatrices(c: ModelConfig, hs: number): Float32Array {
  const R = fullRotary(c);
  const rotary = R === c.headSize ? hs : R; // a partially rotated head cannot shrink
  const pairs = range(rotary / 2).map((p) => (c.ropeLayout === 'half' ? [p, p + rotary / 2] : [2 * p, 2 * p + 1]));
  const out = new Float32Array(T * hs * hs);
  for (let t = 0; t < T; t++) {
    const at = (i: number, j: number) => t * hs * hs + i * hs + j;
    for (let d = rotary; d < hs; d++) out[at(d, d)] = 1;
    pairs.forEach(([a, b], p) => {
      const angle = t * Math.pow(c.ropeTheta, (-2 * p) / R);
      // y_a = x_a cos − x_b sin, y_b = x_a sin + x_b cos
      out[at(a, a)] = Math.cos(angle);
      out[at(b, a)] = -Math.sin(angle);
      out[at(a, b)] = Math.sin(angle);
      out[at(b, b)] = Math.cos(angle);
    });
  }
  return out;
}

function refModel(c: ModelConfig, s: SubNetwork, lora?: LoraConfig): RefModel {
  return {
    c,
    embed: s.embedDim,
    headSize: s.headSize,
    layers: s.layers.map((l) => ({ prefix: `layers.${l.index}`, heads: l.heads, groups: isMha(c) ? l.heads : c.nQueryGroups })),
    rotation: c.position === 'rope' ? rotationMatrices(c, s.headSize) : undefined,
    loraScale: lora && lora.alpha / lora.rank,
  };
}

type Params = (name: string) => tf.Tensor;

/** x·W (+ b) (+ (α/r)·(x·A)·B). */
function tfLinear(m: RefModel, p: Params, x: tf.Tensor, prefix: string, bias: boolean): tf.Tensor {
  let y = tf.matMul(x as tf.Tensor2D, p(`${prefix}.weight`) as tf.Tensor2D);
  if (bias) y = tf.add(y, p(`${prefix}.bias`));
  if (m.loraScale !== undefined) y = tf.add(y, tf.mul(tf.matMul(tf.matMul(x as tf.Tensor2D, p(`${prefix}.lora_a`) as tf.Tensor2D), p(`${prefix}.lora_b`) as tf.Tensor2D), m.loraScale));
  return y;
}

function tfNorm(m: RefModel, p: Params, x: tf.Tensor, prefix: string): tf.Tensor {
  const eps = m.c.normEps;
  if (m.c.norm === 'layernorm') {
    // Biased variance, as PyTorch.
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), p(`${prefix}.weight`)), p(`${prefix}.bias`));
  }
  return tf.mul(tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), p(`${prefix}.weight`));
}

function tfGelu(x: tf.Tensor, form: 'none' | 'tanh'): tf.Tensor {
  if (form === 'tanh') {
    // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  }
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** Causal attention of x [N, E], one head at a time from column slices of q, k and v. */
function tfAttention(m: RefModel, p: Params, x: tf.Tensor, layer: RefLayer): tf.Tensor {
  const hs = m.headSize;
  const N = B * T;
  const at = `${layer.prefix}.attn`;
  const q = tfLinear(m, p, x, `${at}.q`, m.c.qkvBias); // [N, heads·hs]
  const k = tfLinear(m, p, x, `${at}.k`, m.c.qkvBias); // [N, groups·hs]
  const v = tfLinear(m, p, x, `${at}.v`, m.c.qkvBias);
  const head = (t: tf.Tensor, n: number) => tf.reshape(tf.slice(t, [0, n * hs], [N, hs]), [B, T, hs]) as tf.Tensor3D;
  const rotation = m.rotation && tf.tensor3d(m.rotation, [T, hs, hs]);
  // Position t's row vectors times R_t: batch over positions.
  const rope = (t: tf.Tensor3D) => (rotation ? tf.transpose(tf.matMul(tf.transpose(t, [1, 0, 2]) as tf.Tensor3D, rotation), [1, 0, 2]) : t) as tf.Tensor3D;
  const keep = tf.broadcastTo(tf.cast(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 'bool'), [B, T, T]); // key ≤ query
  const perGroup = layer.heads / layer.groups;
  const outputs: tf.Tensor[] = [];
  for (let n = 0; n < layer.heads; n++) {
    const g = Math.floor(n / perGroup); // query head n reads the keys and values of its group
    const scores = tf.div(tf.matMul(rope(head(q, n)), rope(head(k, g)), false, true), Math.sqrt(hs)); // [B, T, T]
    const probs = tf.softmax(tf.where(keep, scores, tf.fill([B, T, T], NEG)), -1) as tf.Tensor3D;
    outputs.push(tf.matMul(probs, head(v, g))); // [B, T, hs]
  }
  const y = tf.reshape(tf.concat(outputs, -1), [N, layer.heads * hs]);
  return tfLinear(m, p, y, `${at}.o`, m.c.bias);
}

function tfMlp(m: RefModel, p: Params, x: tf.Tensor, layer: RefLayer): tf.Tensor {
  const at = `${layer.prefix}.mlp`;
  if (m.c.mlp === 'swiglu') {
    const gate = tfLinear(m, p, x, `${at}.gate`, m.c.bias);
    const silu = tf.mul(gate, tf.sigmoid(gate));
    return tfLinear(m, p, tf.mul(silu, tfLinear(m, p, x, `${at}.up`, m.c.bias)), `${at}.down`, m.c.bias);
  }
  return tfLinear(m, p, tfGelu(tfLinear(m, p, x, `${at}.fc`, m.c.bias), m.c.gelu), `${at}.proj`, m.c.bias);
}

/** Logits [B·T, V] of tokens int32 [B, T]. */
function tfLogits(m: RefModel, p: Params, tokens: tf.Tensor): tf.Tensor {
  const N = B * T;
  let x = tf.gather(p('wte'), tf.reshape(tokens, [N])); // [N, E]
  if (m.c.position === 'learned') x = tf.add(x, tf.tile(tf.slice(p('wpe'), [0, 0], [T, m.embed]), [B, 1]));
  for (const layer of m.layers) {
    const attn = tfAttention(m, p, tfNorm(m, p, x, `${layer.prefix}.norm_1`), layer);
    if (m.c.parallelResidual) x = tf.add(tf.add(x, attn), tfMlp(m, p, tfNorm(m, p, x, `${layer.prefix}.norm_2`), layer));
    else {
      const h = tf.add(x, attn);
      x = tf.add(h, tfMlp(m, p, tfNorm(m, p, h, `${layer.prefix}.norm_2`), layer));
    }
  }
  const h = tfNorm(m, p, x, 'norm_f');
  return m.c.tiedEmbeddings ? tf.matMul(h as tf.Tensor2D, p('wte') as tf.Tensor2D, false, true) : tfLinear(m, p, h, 'lm_head', false);
}

/** Mean over the counted rows of −log softmax(logits)[target]. */
function tfCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, ignoreIndex?: number): tf.Scalar {
  const labels = tf.reshape(targets, [-1]) as tf.Tensor1D;
  const counted = ignoreIndex === undefined ? tf.onesLike(labels).toFloat() : tf.cast(tf.notEqual(labels, ignoreIndex), 'float32');
  const safe = tf.where(tf.cast(counted, 'bool'), labels, tf.zerosLike(labels)) as tf.Tensor1D;
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits, -1), tf.oneHot(safe, logits.shape[1]!)), -1); // [N]
  return tf.neg(tf.div(tf.sum(tf.mul(picked, counted)), tf.sum(counted))) as tf.Scalar;
}

interface Result {
  logits: Float32Array;
  loss: number;
  /** By parameter (and adapter) name. */
  grads: Map<string, Float32Array>;
}

function runReference(m: RefModel, params: Map<string, HostParam>, tokens: number[], targets: number[], ignoreIndex?: number): Result {
  const names = [...params.keys()];
  let result: Result | undefined;
  tf.tidy(() => {
    const values = names.map((n) => tf.tensor(params.get(n)!.data, params.get(n)!.shape, 'float32'));
    const lookup =
      (ts: tf.Tensor[]): Params =>
      (name) => {
        const i = names.indexOf(name);
        if (i < 0) throw new Error(`reference model: no parameter '${name}'`);
        return ts[i];
      };
    const tok = tf.tensor2d(Int32Array.from(tokens), [B, T], 'int32');
    const tgt = tf.tensor2d(Int32Array.from(targets), [B, T], 'int32');
    const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => tfCrossEntropy(tfLogits(m, lookup(ps), tok), tgt, ignoreIndex))(values);
    const logits = tfLogits(m, lookup(values), tok);
    result = {
      logits: Float32Array.from(logits.dataSync()),
      loss: value.dataSync()[0],
      grads: new Map(names.map((n, i) => [n, Float32Array.from(grads[i].dataSync())])),
    };
  });
  return result!;
}

// --- the engine side ---------------------------------------------------------------------------

interface EngineOptions {
  subNetwork?: SubNetwork;
  lora?: LoraConfig;
  ignoreIndex?: number;
}

/** Logits, loss and the gradients of every parameter and adapter, by name. */
async function runEngine(runtime: Runtime, c: ModelConfig, o: EngineOptions, weights: Map<string, Float32Array>, adapters: Map<string, Float32Array>, tokens: number[], targets: number[]): Promise<Result & { graphParams: string[] }> {
  const mg = buildModelGraph(c, { loss: true, subNetwork: o.subNetwork, lora: o.lora, ignoreIndex: o.ignoreIndex });
  const wrt = [...mg.params, ...mg.lora];
  // Parameters of dropped layers get zeros rather than an error.
  const grads = gradients(mg.loss!, wrt.map(([, v]) => v), { allowUnused: true });
  mg.graph.output({ logits: mg.logits, loss: mg.loss! }, Object.fromEntries(grads.map((g, i) => [`grad_${i}`, g])));
  const session = await runtime.compile(mg.graph);
  const out = await session.run({
    tokens: Tensor.from('int64', [B, T], tokens),
    targets: Tensor.from('int64', [B, T], targets),
    ...weightFeeds(mg, weights, adapters),
  });
  await session.dispose();
  return {
    logits: out.logits.data as Float32Array,
    loss: (out.loss.data as Float32Array)[0],
    grads: new Map(wrt.map(([n], i) => [n, out[`grad_${i}`].data as Float32Array])),
    graphParams: [...mg.params.keys()],
  };
}

/** Logits only, from a graph without loss. */
async function engineLogits(runtime: Runtime, c: ModelConfig, weights: ReadonlyMap<string, WeightValues>, tokens: number[], lora?: LoraConfig, adapters?: Map<string, Float32Array>): Promise<Float32Array> {
  const mg = buildModelGraph(c, { lora });
  mg.graph.output({ logits: mg.logits });
  const session = await runtime.compile(mg.graph);
  const out = await session.run({ tokens: Tensor.from('int64', [B, T], tokens), ...weightFeeds(mg, weights, adapters) });
  await session.dispose();
  return out.logits.data as Float32Array;
}

// --- comparison ------------------------------------------------------------------------------

interface Row {
  what: string;
  shape: string;
  relErr: number;
  /** Largest |engine gradient| outside the sub-network's block (must be 0). */
  outside?: number;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Number.isNaN(a[i] - b[i]) ? Infinity : Math.abs(a[i] - b[i]));
  return d;
}

function report(name: string, rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.what.length));
  const lines = rows.map((r) => `  ${r.what.padEnd(width)} ${r.shape.padEnd(9)} relErr ${r.relErr.toExponential(2)}${r.outside === undefined ? '' : `  outside ${r.outside}`}`);
  const worst = Math.max(...rows.map((r) => r.relErr));
  console.log(`${name}: relative error per tensor vs TF.js (tolerance ${RTOL}), max ${worst.toExponential(2)}\n${lines.join('\n')}`);
}

function expectClose(rows: Row[]): void {
  const failing = rows.filter((r) => !(r.relErr <= RTOL) || (r.outside !== undefined && r.outside !== 0));
  expect(failing.map((r) => `${r.what} ${r.shape}: relErr ${r.relErr}${r.outside ? `, ${r.outside} outside the block` : ''}`)).toEqual([]);
}

// --- data ---------------------------------------------------------------------------------------

/**
 * initWeights with std 0.2, then norm weights 1 + N(0, 0.2) and biases N(0, 0.2), so no
 * parameter sits at a value (0 or 1) that would hide a missing term.
 */
function weightsFor(c: ModelConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const weights = initWeights(c, rng, 0.2);
  for (const spec of paramSpecs(c)) {
    const data = weights.get(spec.name)!;
    if (spec.init === 'ones' || spec.init === 'zeros') for (let i = 0; i < data.length; i++) data[i] += rng.normal(0, 0.2);
  }
  return weights;
}

function randomAdapters(c: ModelConfig, lora: LoraConfig, rng: Rng, zeroB: boolean): Map<string, Float32Array> {
  return new Map(
    loraParamSpecs(c, lora).map((s) => {
      const data = new Float32Array(s.shape[0] * s.shape[1]);
      if (!(zeroB && s.name.endsWith('.lora_b'))) for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, 0.3);
      return [s.name, data];
    }),
  );
}

/** Random tokens and targets [B, T]; a repeated token makes the embedding gradient accumulate rows. */
function batch(c: ModelConfig, seed: number): { tokens: number[]; targets: number[] } {
  const rng = new Rng(seed);
  const tokens = range(B * T).map(() => rng.int(c.vocabSize));
  tokens[T + 2] = tokens[1];
  return { tokens, targets: range(B * T).map(() => rng.int(c.vocabSize)) };
}

interface Case {
  name: string;
  config: ModelConfig;
  subNetwork?: SubNetwork;
  lora?: LoraConfig;
  /** Adapters' B all zero (PEFT's initialization). */
  zeroB?: boolean;
  ignoreIndex?: number;
  seed: number;
}

/** Runs a case on both sides and compares logits, loss and every gradient. */
async function crossCheck(runtime: Runtime, k: Case): Promise<Row[]> {
  const c = k.config;
  const s = k.subNetwork ?? wholeModel(c);
  const weights = weightsFor(c, k.seed);
  const adapters = k.lora ? randomAdapters(c, k.lora, new Rng(k.seed + 1), k.zeroB ?? false) : new Map<string, Float32Array>();
  const { tokens, targets } = batch(c, k.seed + 2);
  if (k.ignoreIndex !== undefined) targets[3] = targets[T + 5] = k.ignoreIndex;

  const engine = await runEngine(runtime, c, k, weights, adapters, tokens, targets);
  // The reference's parameter list must be the graph's: every parameter is checked.
  expect([...referenceParams(c).keys()].sort()).toEqual([...engine.graphParams].sort());
  if (k.lora) expect([...referenceAdapters(c).keys()].sort()).toEqual([...adapters.keys()].sort());

  const infos = new Map([...referenceParams(c), ...(k.lora ? referenceAdapters(c) : [])]);
  const cuts = new Map([...infos].map(([n, info]) => [n, cutOf(c, s, info, k.lora?.rank ?? 0)]));
  const sliced = new Map<string, HostParam>();
  for (const [n, cut] of cuts) if (cut.kept) sliced.set(n, sliceOut(weights.get(n) ?? adapters.get(n)!, cut));
  const ref = runReference(refModel(c, s, k.lora), sliced, tokens, targets, k.ignoreIndex);

  const whole = !k.subNetwork;
  const rows: Row[] = [
    { what: 'loss', shape: '[]', relErr: relErr([engine.loss], [ref.loss]) },
    { what: 'logits', shape: `[${B * T}, ${c.vocabSize}]`, relErr: relErr(engine.logits, ref.logits) },
  ];
  for (const [n, cut] of cuts) {
    const got = engine.grads.get(n)!;
    const want = scatterIn(ref.grads.get(n), cut);
    // Without RoPE a key bias adds q·b to every score of a query's row, which softmax
    // ignores: its gradient is 0 in exact arithmetic and both sides hold rounding noise.
    // Measured on the scale of the same layer's key weight gradient instead.
    const exactZero = c.position !== 'rope' && n.endsWith('.attn.k.bias');
    const scale = exactZero ? maxAbs(ref.grads.get(n.replace(/bias$/, 'weight')) ?? []) : undefined;
    rows.push({
      what: `d ${n}${exactZero ? ' (≡ 0)' : ''}`,
      shape: `[${cut.fullShape.join(', ')}]`,
      relErr: relErr(got, want, scale),
      outside: whole ? undefined : maxOutside(got, cut),
    });
  }
  return rows;
}

// --- tests ---------------------------------------------------------------------------------------

describe('model graphs cross-checked against TensorFlow.js (cpu backend, float32)', () => {
  const runtime = new Runtime();
  useTfCpuBackend();

  afterAll(() => runtime.dispose());

  const check = async (k: Case) => {
    const rows = await crossCheck(runtime, k);
    report(k.name, rows);
    expectClose(rows);
  };

  describe('whole models: logits, loss and the gradient of every parameter', () => {
    test('(a) LLaMA: RMSNorm, rotate-half RoPE, GQA 4 heads / 2 groups, SwiGLU, untied head', async () => {
      await check({ name: 'llama', config: resolveConfig(LLAMA), seed: 101 });
    });

    test('(b) llama2.c: interleaved RoPE, tied embeddings', async () => {
      await check({ name: 'llama2c', config: resolveConfig(LLAMA2C), seed: 202 });
    });

    test('(c) GPT-2: LayerNorm, learned positions, tanh GELU, biases, tied head; ignored targets', async () => {
      const config = resolveConfig(GPT2);
      expect([config.gelu, config.position, config.tiedEmbeddings, config.bias]).toEqual(['tanh', 'learned', true, true]);
      await check({ name: 'gpt2', config, ignoreIndex: -100, seed: 303 });
    });

    test('(d) GPT-NeoX: parallel residual, partial rotary (4 of 8 dims), erf GELU, biases, untied head', async () => {
      const config = resolveConfig(NEOX);
      expect([config.parallelResidual, config.headSize, config.gelu]).toEqual([true, 8, 'none']);
      await check({ name: 'gpt_neox', config, seed: 404 });
    });
  });

  describe('sub-networks: logits and full-size gradients equal the sliced standalone model', () => {
    test('(a) LLaMA: embed 12, head 4 of 8 (front of both RoPE halves), 1 query per group, MLP 16, layer 1 only', async () => {
      const subNetwork: SubNetwork = { embedDim: 12, headSize: 4, layers: [{ index: 1, heads: 2, mlpHidden: 16 }] };
      await check({ name: 'llama sub-network', config: resolveConfig(LLAMA), subNetwork, seed: 505 });
    });

    test('(a) LLaMA: both layers with different heads and MLP widths, embed 10, head 6', async () => {
      const subNetwork: SubNetwork = {
        embedDim: 10,
        headSize: 6,
        layers: [
          { index: 0, heads: 2, mlpHidden: 10 },
          { index: 1, heads: 4, mlpHidden: 24 },
        ],
      };
      await check({ name: 'llama sub-network, per-layer widths', config: resolveConfig(LLAMA), subNetwork, seed: 606 });
    });

    test('(b) llama2.c: interleaved head keeps its first 6 dims, tied head sliced by embed', async () => {
      const subNetwork: SubNetwork = { embedDim: 12, headSize: 6, layers: [{ index: 0, heads: 2, mlpHidden: 20 }] };
      await check({ name: 'llama2c sub-network', config: resolveConfig(LLAMA2C), subNetwork, seed: 707 });
    });

    test('(c) GPT-2: MHA keeps the first heads, head 3 of 4, learned positions sliced by embed', async () => {
      const subNetwork: SubNetwork = {
        embedDim: 12,
        headSize: 3,
        layers: [
          { index: 0, heads: 3, mlpHidden: 40 },
          { index: 1, heads: 2, mlpHidden: 64 },
        ],
      };
      await check({ name: 'gpt2 sub-network', config: resolveConfig(GPT2), subNetwork, seed: 808 });
    });

    test('(d) GPT-NeoX: partial rotary head stays whole, 1 of 2 heads, layer 1 only', async () => {
      const subNetwork: SubNetwork = { embedDim: 12, headSize: 8, layers: [{ index: 1, heads: 1, mlpHidden: 20 }] };
      await check({ name: 'gpt_neox sub-network', config: resolveConfig(NEOX), subNetwork, seed: 909 });
    });
  });

  describe('LoRA (rank 4, alpha 8, every linear) on the LLaMA config', () => {
    const config = resolveConfig(LLAMA);
    const { tokens } = batch(config, 11);
    const weights = weightsFor(config, 12);

    test('with B = 0 the logits are exactly the base model’s', async () => {
      const adapters = randomAdapters(config, LORA, new Rng(13), true);
      const base = await engineLogits(runtime, config, weights, tokens);
      const adapted = await engineLogits(runtime, config, weights, tokens, LORA, adapters);
      const diff = maxAbsDiff(adapted, base);
      console.log(`lora, B = 0: max |logits − base logits| = ${diff}`);
      expect(diff).toBe(0);
    });

    test('with random A and B the logits are the merged model’s', async () => {
      const adapters = randomAdapters(config, LORA, new Rng(14), false);
      const merged = await engineLogits(runtime, config, mergeLora(config, weights, adapters, LORA), tokens);
      const adapted = await engineLogits(runtime, config, weights, tokens, LORA, adapters);
      const [rel, abs] = [relErr(adapted, merged), maxAbsDiff(adapted, merged)];
      console.log(`lora vs mergeLora: relErr ${rel.toExponential(2)}, max abs diff ${abs.toExponential(2)}`);
      expect(rel).toBeLessThanOrEqual(1e-5);
      // And the adapters do change the function.
      expect(maxAbsDiff(adapted, await engineLogits(runtime, config, weights, tokens))).toBeGreaterThan(1e-2);
    });

    test('gradients of A, B and every base parameter, with B = 0 (PEFT init)', async () => {
      await check({ name: 'lora, B = 0', config, lora: LORA, zeroB: true, seed: 15 });
    });

    test('gradients of A, B and every base parameter, with random A and B', async () => {
      await check({ name: 'lora', config, lora: LORA, seed: 16 });
    });

    test('on a sub-network: A sliced by input features, B by output features', async () => {
      const subNetwork: SubNetwork = { embedDim: 12, headSize: 4, layers: [{ index: 1, heads: 2, mlpHidden: 16 }] };
      await check({ name: 'lora sub-network', config, lora: LORA, subNetwork, seed: 17 });
    });
  });
});
