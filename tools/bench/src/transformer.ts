/**
 * @module transformer
 * The benchmark model: a GPT-2-style decoder (pre-LayerNorm blocks, learned positions,
 * causal self-attention, GELU MLP, tied embedding head, cross-entropy loss) built with
 * the engine's functional builders. Every weight is a graph input, so the same graph
 * serves a training step (feed the current weights, read back their gradients).
 */
import { F, Graph, gradients, Rng, Tensor, Value } from '@carve/engine';

export interface TransformerConfig {
  /** Batch size. */
  batch: number;
  /** Sequence length (also the number of learned positions). */
  seq: number;
  /** Model width. */
  dModel: number;
  heads: number;
  layers: number;
  vocab: number;
  /** MLP width (GPT-2: 4 · dModel). */
  dMlp: number;
  /** GELU form: 'none' is the exact erf form, 'tanh' GPT-2's approximation. */
  gelu: 'none' | 'tanh';
  /** Targets equal to this are left out of the loss (prompt tokens, say). @default none */
  ignoreIndex?: number;
}

export const DEFAULT_CONFIG: TransformerConfig = {
  batch: 8,
  seq: 64,
  dModel: 128,
  heads: 4,
  layers: 2,
  vocab: 512,
  dMlp: 512,
  gelu: 'none',
};

/** The additive causal mask: 0 on and below the diagonal, a large negative above it. */
export const MASK_VALUE = -1e9;

/** A weight: its graph input name, shape, and how to initialize it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  /** Whether it is the right operand of a matmul (counted in the FLOPs). */
  matmul: boolean;
}

/** The weights of the model, in a fixed order (the order of the gradient outputs). */
export function weightSpecs(c: TransformerConfig): WeightSpec[] {
  const d = c.dModel;
  const specs: WeightSpec[] = [
    // The token embedding doubles as the output head, so it counts as a matmul weight.
    { name: 'wte', shape: [c.vocab, d], init: 'normal', matmul: true },
    { name: 'wpe', shape: [c.seq, d], init: 'normal', matmul: false },
  ];
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}.`;
    specs.push(
      { name: `${p}ln1.g`, shape: [d], init: 'ones', matmul: false },
      { name: `${p}ln1.b`, shape: [d], init: 'zeros', matmul: false },
      { name: `${p}attn.w_qkv`, shape: [d, 3 * d], init: 'normal', matmul: true },
      { name: `${p}attn.b_qkv`, shape: [3 * d], init: 'zeros', matmul: false },
      { name: `${p}attn.w_o`, shape: [d, d], init: 'normal', matmul: true },
      { name: `${p}attn.b_o`, shape: [d], init: 'zeros', matmul: false },
      { name: `${p}ln2.g`, shape: [d], init: 'ones', matmul: false },
      { name: `${p}ln2.b`, shape: [d], init: 'zeros', matmul: false },
      { name: `${p}mlp.w_fc`, shape: [d, c.dMlp], init: 'normal', matmul: true },
      { name: `${p}mlp.b_fc`, shape: [c.dMlp], init: 'zeros', matmul: false },
      { name: `${p}mlp.w_proj`, shape: [c.dMlp, d], init: 'normal', matmul: true },
      { name: `${p}mlp.b_proj`, shape: [d], init: 'zeros', matmul: false },
    );
  }
  specs.push({ name: 'ln_f.g', shape: [d], init: 'ones', matmul: false }, { name: 'ln_f.b', shape: [d], init: 'zeros', matmul: false });
  return specs;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Total number of parameters. */
export function parameterCount(c: TransformerConfig): number {
  return weightSpecs(c).reduce((n, s) => n + numel(s.shape), 0);
}

/**
 * Multiply-add FLOPs (2 per multiply-accumulate) of the matrix products of one forward
 * pass: 2 · (parameters in matmuls) · tokens, plus the two attention products
 * (q·kᵀ and p·v), 2 · 2 · B · heads · T² · head size per layer.
 */
export function forwardFlops(c: TransformerConfig): number {
  const tokens = c.batch * c.seq;
  const matmulParams = weightSpecs(c)
    .filter((s) => s.matmul)
    .reduce((n, s) => n + numel(s.shape), 0);
  const headSize = c.dModel / c.heads;
  const attention = 2 * 2 * c.batch * c.heads * c.seq * c.seq * headSize * c.layers;
  return 2 * matmulParams * tokens + attention;
}

/** FLOPs of a training step: the forward plus a backward of about twice the forward. */
export function stepFlops(c: TransformerConfig): number {
  return 3 * forwardFlops(c);
}

export interface TransformerGraph {
  graph: Graph;
  loss: Value;
  /** [B·T, V] */
  logits: Value;
  weights: Map<string, Value>;
}

/** Builds the forward graph up to the scalar loss (inputs `tokens` and `targets`, int64 [B, T]). */
export function buildTransformer(c: TransformerConfig, name = 'transformer'): TransformerGraph {
  if (c.dModel % c.heads !== 0) throw new Error(`dModel ${c.dModel} is not divisible by heads ${c.heads}`);
  const g = new Graph(name);
  const { batch: B, seq: T, dModel: d, heads: nh } = c;
  const hs = d / nh;
  const tokens = g.input('tokens', 'int64', [B, T]);
  const targets = g.input('targets', 'int64', [B, T]);
  const weights = new Map<string, Value>();
  for (const s of weightSpecs(c)) weights.set(s.name, g.input(s.name, 'float32', s.shape));
  const w = (key: string): Value => weights.get(key)!;

  // Additive causal mask [T, T], broadcast over batch and heads.
  const maskData = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskData[i * T + j] = MASK_VALUE;
  const mask = F.constant(g, new Tensor('float32', [T, T], maskData));
  const scale = 1 / Math.sqrt(hs);

  let x = F.add(F.gather(w('wte'), tokens), w('wpe')); // [B, T, d]
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}.`;
    x = g.withScope(`h${l}`, () => {
      // Attention.
      const h = F.layerNorm(x, w(`${p}ln1.g`), w(`${p}ln1.b`));
      const qkv = F.add(F.matmul(h, w(`${p}attn.w_qkv`)), w(`${p}attn.b_qkv`)); // [B, T, 3d]
      const [q0, k0, v0] = F.split(qkv, [d, d, d], 2);
      // The 1/√hs scale is applied to q ([B, T, d]) rather than to the scores ([B, nh, T, T]).
      const q = F.transpose(F.reshape(F.mul(q0, scale), [B, T, nh, hs]), [0, 2, 1, 3]); // [B, nh, T, hs]
      const kT = F.transpose(F.reshape(k0, [B, T, nh, hs]), [0, 2, 3, 1]); // [B, nh, hs, T]
      const v = F.transpose(F.reshape(v0, [B, T, nh, hs]), [0, 2, 1, 3]); // [B, nh, T, hs]
      const att = F.softmax(F.add(F.matmul(q, kT), mask), -1); // [B, nh, T, T]
      const y = F.reshape(F.transpose(F.matmul(att, v), [0, 2, 1, 3]), [B, T, d]);
      const x1 = F.add(x, F.add(F.matmul(y, w(`${p}attn.w_o`)), w(`${p}attn.b_o`)));
      // MLP.
      const h2 = F.layerNorm(x1, w(`${p}ln2.g`), w(`${p}ln2.b`));
      const f = F.gelu(F.add(F.matmul(h2, w(`${p}mlp.w_fc`)), w(`${p}mlp.b_fc`)), c.gelu);
      return F.add(x1, F.add(F.matmul(f, w(`${p}mlp.w_proj`)), w(`${p}mlp.b_proj`)));
    });
  }
  const hf = F.layerNorm(x, w('ln_f.g'), w('ln_f.b'));
  // Tied head: logits = h · wteᵀ, over all B·T rows at once.
  const logits = F.matmul(F.reshape(hf, [B * T, d]), F.transpose(w('wte'), [1, 0])); // [B·T, V]
  const loss = F.crossEntropy(logits, F.reshape(targets, [B * T]), { ignoreIndex: c.ignoreIndex });
  return { graph: g, loss, logits, weights };
}

/** The forward graph with the loss as its only output. */
export function forwardGraph(c: TransformerConfig): Graph {
  const { graph, loss } = buildTransformer(c, 'transformer_forward');
  graph.output({ loss });
  return graph;
}

/** The training-step graph: the loss and the gradient of every weight (`grad.<name>`). */
export function trainingGraph(c: TransformerConfig): Graph {
  const { graph, loss, weights } = buildTransformer(c, 'transformer_step');
  const names = [...weights.keys()];
  const grads = gradients(loss, names.map((n) => weights.get(n)!));
  graph.output({ loss });
  graph.output(Object.fromEntries(names.map((n, i) => [`grad.${n}`, grads[i]])));
  return graph;
}

/** Feeds for either graph: GPT-2-like random weights (std 0.02) and random tokens. */
export function randomFeeds(c: TransformerConfig, seed = 1234): Record<string, Tensor> {
  const rng = new Rng(seed);
  const feeds: Record<string, Tensor> = {};
  for (const s of weightSpecs(c)) {
    const data = new Float32Array(numel(s.shape));
    if (s.init === 'ones') data.fill(1);
    else if (s.init === 'normal') for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, 0.02);
    feeds[s.name] = new Tensor('float32', s.shape, data);
  }
  for (const key of ['tokens', 'targets']) {
    const ids = new BigInt64Array(c.batch * c.seq);
    for (let i = 0; i < ids.length; i++) ids[i] = BigInt(rng.int(c.vocab));
    feeds[key] = new Tensor('int64', [c.batch, c.seq], ids);
  }
  return feeds;
}
