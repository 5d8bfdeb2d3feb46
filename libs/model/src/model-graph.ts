/**
 * @module model-graph
 * The graph of any sub-network of a model, from token ids to logits (and a loss). The
 * full model's weights are graph inputs and the graph slices the sub-network's block out
 * of each, so one copy of the weights in memory serves every sub-network. One builder for
 * every family: the differences are the norm, the MLP, the positions and the residual
 * wiring, each decided in one place below.
 *
 * With `kvCache` the graph decodes incrementally: it reads the keys and values of earlier
 * tokens from cache inputs instead of recomputing them. The cache is a buffer of fixed
 * capacity S per layer that each call writes into, rather than one that grows by
 * concatenation: the engine's symbolic dimensions are products of names, so a length
 * P+T has no name (and Concat needs static sizes), and a buffer of fixed shape goes back
 * in as the next past with no copy on the host.
 */
import { Dim, dimMul, F, Graph, Value } from '@carve/engine';
import { Checkpoint, halfParamsOf } from './checkpoint/checkpoint';
import { ModelConfig, rotaryDims } from './config';
import { LoraConfig, loraParamSpecs } from './lora';
import { LinearSpec, linearHasBias, linearSpecs, paramSpecs, ParamSpec } from './params';
import { applyRope, ropeTables, RopeTables } from './rope';
import { paramView, sliceParam } from './slicing';
import { assertSubNetwork, fullSubNetwork, SubNetwork, subNetworkConfig } from './subnetwork';

/** Added to attention scores above the diagonal: finite, so no row is all −∞, and exp gives exactly 0. */
const MASKED = -1e9;

export interface ModelGraphOptions {
  /** The sub-network to compute. @default the whole model */
  subNetwork?: SubNetwork;
  /** Adapters to add; their A and B become graph inputs. */
  lora?: LoraConfig;
  /** Batch and sequence dimensions. @default 'B' and 'T' */
  batch?: Dim;
  seq?: Dim;
  /** Add an int64 `targets` input [B, T] and a mean cross-entropy `loss`. */
  loss?: boolean;
  /**
   * Training mode: with a LoRA dropout above 0, each adapter's input is multiplied by a
   * mask input `<linear>.lora_dropout` [B·T, in] of 0s and 1/(1−p)s, which the trainer
   * draws from its seeded generator (so a resumed run draws the same masks).
   */
  training?: boolean;
  /**
   * Expose intermediate activations as `ModelGraph.taps`, for importance scoring:
   * `layers.<l>.in` and `.out` (the residual stream around block l, [N, E]),
   * `layers.<l>.norm_1` / `.norm_2` and `norm_f` (norm outputs, [N, E]),
   * `layers.<l>.attn.heads` (each head's output, [B, g, q, T, hs]) and `layers.<l>.mlp.pre`
   * (the MLP's pre-activation, the gate's for SwiGLU, [N, M]), and `layers.<l>.mlp.hidden`
   * (the down projection's input, [N, M]).
   */
  taps?: boolean;
  /** Targets equal to this do not count in the loss. */
  ignoreIndex?: number;
  name?: string;
  /**
   * Element type of the weights and activations. float64 serves as a reference free of
   * float32 rounding. ONNX Runtime has no float64 Erf (exact GELU), and its extended
   * optimizations fuse SiLU into a float32-only kernel: run float64 graphs in a Runtime
   * with optimizationLevel 'basic'. @default 'float32'
   */
  dtype?: 'float32' | 'float64';
  /**
   * Parameters fed as float16 (a 16-bit checkpoint's frozen weights, see HalfValues): their
   * inputs are float16, cast to `dtype` where used, so they carry no gradient. @default none
   */
  halfParams?: ReadonlySet<string>;
  /**
   * Build the key/value-cached graph, for incremental decoding. Per kept layer l it takes
   * `past.<l>.key` and `past.<l>.value` [B, g, S, hs] (g the layer's key/value groups, hs
   * the head size, S the symbolic capacity 'S') and the int64 scalar `past_length` P:
   * rows 0..P−1 hold the keys (after RoPE) and values of the tokens before; the other
   * rows are masked out, so any finite values do. The tokens [B, T] sit at positions
   * P..P+T−1 (RoPE and learned positions alike) and query i sees rows 0..P+i.
   * `present.<l>.key` / `.value` are the buffers with this call's keys and values written
   * into rows P..P+T−1 (P + T ≤ S, else ONNX Runtime fails): feed them back as the next
   * call's past. Prefilling is the same graph with P = 0, so no call needs empty tensors;
   * with S = P + T exactly, a present is the past concatenated with this call's keys or
   * values. Attention covers all S rows, in one piece (never in query blocks).
   */
  kvCache?: boolean;
  /**
   * Build the cached decoder in the layout of Hugging Face Optimum's ONNX exports, which
   * transformers.js runs: inputs `input_ids` and `position_ids` [batch_size,
   * sequence_length], `attention_mask` [batch_size, total_sequence_length] (1 for a real
   * token, 0 for padding, over the past and this call) and per layer i
   * `past_key_values.<i>.key` / `.value` [batch_size, g, past_sequence_length, hs];
   * `present.<i>.key` / `.value` are the past with this call's rows appended (total =
   * past + sequence length, as the mask says). The first call passes an empty past. Query
   * j sees the cached and new keys up to its own index that the mask does not pad out.
   * Layers are numbered by their slot in the sub-network, as a standalone model's are.
   */
  hfDecoder?: boolean;
}

export interface ModelGraph {
  graph: Graph;
  /** int64 [B, T] */
  tokens: Value;
  /** int64 [B, T], when built with `loss`. */
  targets?: Value;
  /** [B·T, V] */
  logits: Value;
  loss?: Value;
  /** The full model's weights, as graph inputs, by parameter name. */
  params: Map<string, Value>;
  /** The adapters' A and B, as graph inputs, by parameter name. */
  lora: Map<string, Value>;
  /** LoRA dropout masks to feed in training mode, by input name. */
  dropoutMasks: Map<string, Value>;
  /** Intermediate activations by name, when built with `taps`. */
  taps: Map<string, Value>;
  /** The standalone config of the sub-network the graph computes. */
  config: ModelConfig;
  /** With `kvCache`: the int64 scalar input `past_length`. */
  pastLength?: Value;
  /** With `kvCache`: the cache inputs `past.<l>.key` / `.value` by name (`past_key_values.<i>.…` with hfDecoder); else empty. */
  past: Map<string, Value>;
  /** With `kvCache`: the updated caches by output name `present.<l>.key` / `.value`, to be made graph outputs; else empty. */
  present: Map<string, Value>;
}

/** What a key/value-cached graph's layers share. */
interface KvCache {
  /** int64 [T] (or [B, T] for hfDecoder): the tokens' positions, P..P+T−1 by default. */
  positions: Value;
  /** Additive mask broadcasting against the scores [B, g, q, T, S]: query i sees cache rows 0..P+i. */
  mask: Value;
  /** int64 [T]: the rows P..P+T−1 this call's keys and values go in. */
  newRows: Value;
  past: Map<string, Value>;
  present: Map<string, Value>;
  /** Scatter indices [B, g, T, hs] holding P+t, by group count g (per layer under MHA sub-networks). */
  rows: Map<number, Value>;
  /** With hfDecoder: the present's length S = P + T, and the rows 0..P−1 it copies the past into. */
  hf?: { total: Dim; pastRows: Value; pastLength: Dim };
}

interface Context {
  c: ModelConfig;
  s: SubNetwork;
  sub: ModelConfig;
  g: Graph;
  params: Map<string, Value>;
  lora: Map<string, Value>;
  loraScale: number;
  /** Set in training mode with LoRA dropout: collects the mask inputs as linears ask for them. */
  dropoutMasks?: Map<string, Value>;
  /** Set when building with taps. */
  taps?: Map<string, Value>;
  /** Set when building with kvCache. */
  cache?: KvCache;
  specs: Map<string, ParamSpec>;
  dtype: 'float32' | 'float64';
}

/** The sub-network's block of parameter `name`. */
function param(ctx: Context, name: string): Value {
  const spec = ctx.specs.get(name);
  const value = ctx.params.get(name) ?? ctx.lora.get(name);
  if (!spec || !value) throw new Error(`model '${ctx.c.name}' has no parameter '${name}'`);
  const block = sliceParam(value, paramView(ctx.c, ctx.s, spec));
  // A 16-bit weight is cast after slicing, so only the sub-network's block is widened.
  return block.dtype === 'float16' ? F.cast(block, ctx.dtype) : block;
}

/** x·W (+ b) (+ (α/r)·(x·A)·B) for x [N, in]. */
function linear(ctx: Context, x: Value, s: LinearSpec): Value {
  let y = F.matmul(x, param(ctx, s.weight));
  if (linearHasBias(ctx.c, s)) y = F.add(y, param(ctx, `${s.prefix}.bias`));
  if (ctx.lora.has(`${s.prefix}.lora_a`)) {
    let input = x;
    if (ctx.dropoutMasks) {
      const mask = ctx.g.input(`${s.prefix}.lora_dropout`, x.dtype, x.shape);
      ctx.dropoutMasks.set(mask.name, mask);
      input = F.mul(x, mask);
    }
    const update = F.matmul(F.matmul(input, param(ctx, `${s.prefix}.lora_a`)), param(ctx, `${s.prefix}.lora_b`));
    y = F.add(y, F.mul(update, ctx.loraScale));
  }
  return y;
}

/** Records `v` as tap `name` when the graph is built with taps; returns v. */
function tap(ctx: Context, name: string, v: Value): Value {
  ctx.taps?.set(name, v);
  return v;
}

function norm(ctx: Context, x: Value, prefix: string): Value {
  const weight = param(ctx, `${prefix}.weight`);
  if (ctx.c.norm === 'layernorm') return tap(ctx, prefix, F.layerNorm(x, weight, param(ctx, `${prefix}.bias`), ctx.c.normEps));
  // RMSNorm: x / √(mean(x²) + ε) · w
  const meanSquare = F.reduceMean(F.mul(x, x), [-1], true);
  return tap(ctx, prefix, F.mul(F.mul(x, F.reciprocal(F.sqrt(F.add(meanSquare, ctx.c.normEps)))), weight));
}

/** Key/value groups of a kept layer with `heads` query heads: under MHA each head is its own group. */
function kvGroups(sub: ModelConfig, heads: number): number {
  return sub.nQueryGroups === sub.nHead ? heads : sub.nQueryGroups;
}

/** Causal self-attention of x [N, E] with queries grouped over shared keys and values. */
function attention(ctx: Context, x: Value, slot: number, B: Dim, T: Dim, rope: RopeTables | undefined, mask: Value, linears: LinearSpec[]): Value {
  const { sub } = ctx;
  const hs = sub.headSize;
  const heads = ctx.s.layers[slot].heads;
  const groups = kvGroups(sub, heads);
  const perGroup = heads / groups;
  const find = (name: string) => linears.find((s) => s.linear === name)!;
  // The 1/√hs scale is folded into q ([N, h·hs]) rather than applied to the scores ([B, g, q·T, T]).
  let q = F.reshape(F.mul(linear(ctx, x, find('q')), 1 / Math.sqrt(hs)), [B, T, groups, perGroup, hs]);
  let k = F.reshape(linear(ctx, x, find('k')), [B, T, groups, hs]);
  const v = F.reshape(linear(ctx, x, find('v')), [B, T, groups, hs]);
  if (rope) {
    q = applyRope(q, rope);
    k = applyRope(k, rope);
  }
  const qGroups = F.transpose(q, [0, 2, 3, 1, 4]); // [B, g, q, T, hs]
  const l = ctx.s.layers[slot].index;
  let y: Value; // [B, g, q, T, hs]
  if (ctx.cache) {
    const layer = ctx.cache.hf ? slot : l;
    const keys = writeCache(ctx.cache, `${layer}.key`, F.transpose(k, [0, 2, 1, 3])); // [B, g, S, hs]
    const values = writeCache(ctx.cache, `${layer}.value`, F.transpose(v, [0, 2, 1, 3])); // [B, g, S, hs]
    const queries = F.reshape(qGroups, [B, groups, dimMul(perGroup, T), hs]);
    const dims = [B, groups, perGroup, T, keys.shape[2]];
    y = F.reshape(causalAttention(queries, F.transpose(keys, [0, 1, 3, 2]), values, mask, dims), [B, groups, perGroup, T, hs]);
  } else {
    const kT = F.transpose(k, [0, 2, 3, 1]); // [B, g, hs, T]
    const vT = F.transpose(v, [0, 2, 1, 3]); // [B, g, T, hs]
    y = causalAttentionBlocks(qGroups, kT, vT, mask, [B, groups, perGroup, T, hs]);
  }
  tap(ctx, `layers.${l}.attn.heads`, y);
  const merged = F.reshape(F.transpose(y, [0, 3, 1, 2, 4]), [x.shape[0], heads * hs]); // [N, h·hs]
  return linear(ctx, merged, find('o'));
}

/**
 * The present of cache `name` (`<layer>.key` or `.value`): its past with `update` [B, g,
 * T, hs] written into rows P..P+T−1. With hfDecoder the past has exactly P rows, so it is
 * first copied into a buffer of P + T rows (a Concat would need the sum P + T as a dimension).
 */
function writeCache(cache: KvCache, name: string, update: Value): Value {
  const [B, groups, T, hs] = update.shape;
  const spread = (rows: Value, length: Dim) => F.expand(F.unsqueeze(rows, [0, 1, 3]), [B, groups, length, hs]);
  let rows = cache.rows.get(groups as number);
  if (!rows) {
    rows = spread(cache.newRows, T);
    cache.rows.set(groups as number, rows);
  }
  let buffer: Value;
  if (cache.hf) {
    const past = cache.past.get(`past_key_values.${name}`)!;
    buffer = F.scatterElements(F.full(update.graph, [B, groups, cache.hf.total, hs], 0, update.dtype), spread(cache.hf.pastRows, cache.hf.pastLength), past, 2);
  } else {
    buffer = cache.past.get(`past.${name}`)!;
  }
  const present = F.scatterElements(buffer, rows, update, 2);
  cache.present.set(`present.${name}`, present);
  return present;
}

/** Query blocks for a static sequence length T: none below 128, else blocks of 64, at most 4. */
export function attentionBlocks(T: Dim): number {
  if (typeof T !== 'number' || T < 128) return 1;
  const blocks = Math.min(4, Math.floor(T / 64));
  return T % blocks === 0 ? blocks : 1;
}

/**
 * Causal attention for q [B, g, q, T, hs]. When T is static and long, the queries are cut
 * into blocks and block c attends only to the keys up to its end: the scores above the
 * diagonal blocks, which the mask would zero, are never computed (with 4 blocks, 5/8 of
 * the T² work remains).
 */
function causalAttentionBlocks(q: Value, kT: Value, v: Value, mask: Value, [B, groups, perGroup, T, hs]: Dim[]): Value {
  const blocks = attentionBlocks(T);
  const rows = (x: Value, t: Dim) => F.reshape(x, [B, groups, dimMul(perGroup, t), hs]); // queries of a group stacked along the rows
  if (blocks === 1) return F.reshape(causalAttention(rows(q, T), kT, v, mask, [B, groups, perGroup, T, T]), [B, groups, perGroup, T, hs]);
  const size = (T as number) / blocks;
  const out: Value[] = [];
  for (let b = 0; b < blocks; b++) {
    const [start, end] = [b * size, (b + 1) * size];
    const qBlock = rows(F.slice(q, [start], [end], [3]), size); // [B, g, q·size, hs]
    const keys = F.slice(kT, [0], [end], [3]); // [B, g, hs, end]
    const values = F.slice(v, [0], [end], [2]); // [B, g, end, hs]
    const maskBlock = F.slice(mask, [start, 0], [end, end], [0, 1]); // [size, end]
    out.push(F.reshape(causalAttention(qBlock, keys, values, maskBlock, [B, groups, perGroup, size, end]), [B, groups, perGroup, size, hs]));
  }
  return F.concat(out, 3);
}

/**
 * softmax(q·kᵀ + mask)·v for q [B, g, q·Tq, hs], kᵀ [B, g, hs, Tk], v [B, g, Tk, hs]. Its
 * gradient is written out as FlashAttention's is: the softmax backward needs the row sums
 * of dP ⊙ P, which equal those of dO ⊙ O, an hs-wide product instead of a T-wide one, so
 * the backward makes two fewer passes over the [q·T, T] probabilities per layer.
 */
function causalAttention(q: Value, kT: Value, v: Value, mask: Value, [B, groups, perGroup, Tq, Tk]: Dim[]): Value {
  let probs!: Value;
  let out!: Value;
  return F.customGradient(
    'causal-attention',
    [q, kT, v],
    () => {
      const scores = F.reshape(F.matmul(q, kT), [B, groups, perGroup, Tq, Tk]); // [B, g, q, Tq, Tk]: the mask broadcasts per query
      probs = F.reshape(F.softmax(F.add(scores, mask), -1), [B, groups, dimMul(perGroup, Tq), Tk]); // [B, g, q·Tq, Tk]
      out = F.matmul(probs, v); // [B, g, q·T, hs]
      return [out];
    },
    ([dOut]) => {
      const dProbs = F.matmul(dOut!, F.transpose(v, [0, 1, 3, 2])); // [B, g, q·T, T]
      const rowDot = F.reduceSum(F.mul(dOut!, out), [-1], true); // [B, g, q·T, 1]
      const dScores = F.mul(probs, F.sub(dProbs, rowDot)); // [B, g, q·T, T]
      return [
        F.matmul(dScores, F.transpose(kT, [0, 1, 3, 2])), // dq [B, g, q·T, hs]
        F.matmul(F.transpose(q, [0, 1, 3, 2]), dScores), // dkᵀ [B, g, hs, T]
        F.matmul(F.transpose(probs, [0, 1, 3, 2]), dOut!), // dv [B, g, T, hs]
      ];
    },
  )[0];
}

function mlp(ctx: Context, x: Value, layer: number, linears: LinearSpec[]): Value {
  const find = (name: string) => linears.find((s) => s.linear === name)!;
  const pre = tap(ctx, `layers.${layer}.mlp.pre`, linear(ctx, x, find(ctx.c.mlp === 'swiglu' ? 'gate' : 'fc')));
  // The down projection's input, tapped for statistics of what each neuron feeds forward.
  if (ctx.c.mlp === 'swiglu') return linear(ctx, tap(ctx, `layers.${layer}.mlp.hidden`, F.mul(F.silu(pre), linear(ctx, x, find('up')))), find('down'));
  return linear(ctx, tap(ctx, `layers.${layer}.mlp.hidden`, F.gelu(pre, ctx.c.gelu)), find('proj'));
}

/** The [T, T] additive causal mask: 0 on and below the diagonal. */
function causalMask(g: Graph, T: Dim, dtype: 'float32' | 'float64'): Value {
  const positions = F.range(g, T);
  return additiveMask(g, positions, positions, dtype);
}

/** [Tq, Tk]: 0 where the key's position is at most the query's, else MASKED. */
function additiveMask(g: Graph, queries: Value, keys: Value, dtype: 'float32' | 'float64'): Value {
  const later = F.greater(F.unsqueeze(keys, [0]), F.unsqueeze(queries, [1])); // key after query
  return F.where(later, F.scalar(g, MASKED, dtype), F.scalar(g, 0, dtype));
}

/** Declares `past_length` and the cache inputs (so the capacity S has a source before the mask needs it). */
function declareCache(g: Graph, sub: ModelConfig, s: SubNetwork, B: Dim, T: Dim, dtype: 'float32' | 'float64'): { pastLength: Value; cache: KvCache } {
  const pastLength = g.input('past_length', 'int64', []);
  const past = new Map<string, Value>();
  for (const { index, heads } of s.layers) {
    for (const kind of ['key', 'value']) {
      const name = `past.${index}.${kind}`;
      past.set(name, g.input(name, dtype, [B, kvGroups(sub, heads), 'S', sub.headSize]));
    }
  }
  const positions = F.add(F.range(g, T), pastLength);
  const mask = additiveMask(g, positions, F.range(g, 'S'), dtype);
  return { pastLength, cache: { positions, mask, newRows: positions, past, present: new Map(), rows: new Map() } };
}

/** Declares the inputs of the Hugging Face decoder layout (see ModelGraphOptions.hfDecoder). */
function declareHfCache(g: Graph, sub: ModelConfig, s: SubNetwork, B: Dim, T: Dim, dtype: 'float32' | 'float64'): KvCache {
  const total = 'total_sequence_length';
  const pastLength = 'past_sequence_length';
  const attentionMask = g.input('attention_mask', 'int64', [B, total]);
  const positions = g.input('position_ids', 'int64', [B, T]);
  const past = new Map<string, Value>();
  s.layers.forEach(({ heads }, slot) => {
    for (const kind of ['key', 'value']) {
      const name = `past_key_values.${slot}.${kind}`;
      past.set(name, g.input(name, dtype, [B, kvGroups(sub, heads), pastLength, sub.headSize]));
    }
  });
  // Rows P..P+T−1 hold this call's tokens, whatever their position ids (left padding shifts those).
  const newRows = F.add(F.range(g, T), F.squeeze(F.shapeTensor(g, [pastLength]), [0]));
  const causal = additiveMask(g, newRows, F.range(g, total), dtype); // [T, S]
  const padding = F.where(F.equal(attentionMask, F.scalar(g, 0, 'int64')), F.scalar(g, MASKED, dtype), F.scalar(g, 0, dtype)); // [B, S]
  const mask = F.unsqueeze(F.add(causal, F.unsqueeze(padding, [1])), [1, 2]); // [B, 1, 1, T, S]
  return { positions, mask, newRows, past, present: new Map(), rows: new Map(), hf: { total, pastRows: F.range(g, pastLength), pastLength } };
}

/**
 * buildModelGraph for `model`'s config, taking its 16-bit weights as float16 inputs (see
 * ModelGraphOptions.halfParams): the graph weightFeeds(graph, model.weights) feeds.
 */
export function buildCheckpointGraph(model: Checkpoint, options: Omit<ModelGraphOptions, 'halfParams'> = {}): ModelGraph {
  return buildModelGraph(model.config, { ...options, halfParams: halfParamsOf(model.weights) });
}

/**
 * Builds the graph of `options.subNetwork` of model `c` (validated first): inputs `tokens`
 * [B, T], every full-size parameter, the LoRA adapters if any, `targets` with `loss`, and
 * `past_length` and the caches with `kvCache`.
 */
export function buildModelGraph(c: ModelConfig, options: ModelGraphOptions = {}): ModelGraph {
  const s = options.subNetwork ?? fullSubNetwork(c);
  assertSubNetwork(c, s);
  const sub = subNetworkConfig(c, s);
  const hf = options.hfDecoder === true;
  const B = options.batch ?? (hf ? 'batch_size' : 'B');
  const T = options.seq ?? (hf ? 'sequence_length' : 'T');
  const g = new Graph(options.name ?? c.name.replace(/\W+/g, '_'));
  const dtype = options.dtype ?? 'float32';
  const tokens = g.input(hf ? 'input_ids' : 'tokens', 'int64', [B, T]);
  const specs = new Map<string, ParamSpec>();
  const params = new Map<string, Value>();
  for (const spec of paramSpecs(c)) {
    specs.set(spec.name, spec);
    params.set(spec.name, g.input(spec.name, options.halfParams?.has(spec.name) ? 'float16' : dtype, spec.shape));
  }
  const lora = new Map<string, Value>();
  if (options.lora) {
    for (const spec of loraParamSpecs(c, options.lora)) {
      specs.set(spec.name, spec);
      lora.set(spec.name, g.input(spec.name, dtype, spec.shape));
    }
  }
  const ctx: Context = { c, s, sub, g, params, lora, loraScale: options.lora ? options.lora.alpha / options.lora.rank : 0, specs, dtype };
  const dropoutMasks = new Map<string, Value>();
  const taps = new Map<string, Value>();
  if (options.taps) ctx.taps = taps;
  if (options.training && options.lora && options.lora.dropout > 0) ctx.dropoutMasks = dropoutMasks;
  const declared = options.kvCache && !hf ? declareCache(g, sub, s, B, T, dtype) : undefined;
  ctx.cache = hf ? declareHfCache(g, sub, s, B, T, dtype) : declared?.cache;
  // Without a cache each use makes its own Range, as it always has, so those graphs keep their exact bytes.
  const positions = () => ctx.cache?.positions ?? F.range(g, T);

  const wte = param(ctx, 'wte'); // [V, E]
  let x = F.gather(wte, tokens); // [B, T, E]
  if (c.position === 'learned') x = F.add(x, F.gather(param(ctx, 'wpe'), positions())); // + [T, E]
  x = F.flattenRows(x); // [N, E]: the residual stream stays 2-D
  const rope = c.position === 'rope' ? ropeTables(g, positions(), rotaryDims(sub), sub.ropeTheta, c.ropeLayout, dtype) : undefined;
  const mask = ctx.cache?.mask ?? causalMask(g, T, dtype);
  const linears = linearSpecs(c);

  s.layers.forEach((choice, slot) => {
    const l = choice.index;
    x = g.withScope(`layer${l}`, () => {
      const own = linears.filter((spec) => spec.layer === l);
      tap(ctx, `layers.${l}.in`, x);
      const attn = attention(ctx, norm(ctx, x, `layers.${l}.norm_1`), slot, B, T, rope, mask, own);
      if (c.parallelResidual) return tap(ctx, `layers.${l}.out`, F.add(F.add(x, attn), mlp(ctx, norm(ctx, x, `layers.${l}.norm_2`), l, own)));
      const h = F.add(x, attn);
      return tap(ctx, `layers.${l}.out`, F.add(h, mlp(ctx, norm(ctx, h, `layers.${l}.norm_2`), l, own)));
    });
  });

  const h = norm(ctx, x, 'norm_f'); // [N, E]
  const logits = c.tiedEmbeddings ? F.gemm(h, wte, { transB: true }) : linear(ctx, h, linears.find((spec) => spec.linear === 'head')!); // [N, V]
  const result: ModelGraph = {
    graph: g,
    tokens,
    logits,
    params,
    lora,
    dropoutMasks,
    taps,
    config: sub,
    pastLength: declared?.pastLength,
    past: ctx.cache?.past ?? new Map(),
    present: ctx.cache?.present ?? new Map(),
  };
  if (options.loss) {
    result.targets = g.input('targets', 'int64', [B, T]);
    result.loss = F.crossEntropy(logits, F.reshape(result.targets, [logits.shape[0]]), { ignoreIndex: options.ignoreIndex });
  }
  return result;
}
