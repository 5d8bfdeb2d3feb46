/**
 * Cross-checks the engine against an independent autograd: TensorFlow.js on its `cpu`
 * backend. Each model is built twice — once as an engine graph differentiated by
 * `gradients()` and run in ONNX Runtime, once written by hand with plain tf ops and
 * differentiated by `tf.valueAndGrads` — from the same seeded parameters and inputs, in
 * float32 on both sides. Forward outputs (logits, loss) and the gradient of every
 * parameter must agree.
 *
 * Error measure, per tensor, with `a` the engine's result and `b` TF.js's:
 *   relErr(a, b) = max_i |a_i − b_i| / max(max_i |b_i|, 1e-6)
 * and every tensor must have relErr ≤ 1e-4. Normalizing by the tensor's largest
 * magnitude (not elementwise) keeps near-zero gradient entries, whose float32 rounding
 * noise is large relative to themselves, from failing an otherwise exact match.
 */

import { relErr, tf, useTfCpuBackend } from '@carve/test-tfjs';
import { F, Graph, Rng, Runtime, Tensor, Value, gradients } from './index';

const RTOL = 1e-4;

// --- shared harness --------------------------------------------------------------------

/** A parameter: shape and initial values (both sides get the same float32 data). */
interface Param {
  shape: number[];
  data: Float32Array;
}

/** A model written twice: as an engine graph and, independently, in TF.js. */
interface CrossCheckCase {
  name: string;
  params: Record<string, Param>;
  /** Non-differentiated inputs (data, labels), as engine tensors. */
  inputs: Record<string, Tensor>;
  engine(p: Record<string, Value>, x: Record<string, Value>): { loss: Value; logits: Value };
  reference(p: Record<string, tf.Tensor>, x: Record<string, tf.Tensor>): { loss: tf.Scalar; logits: tf.Tensor };
}

interface Comparison {
  what: string;
  shape: string;
  relErr: number;
}

function compare(what: string, got: Tensor, want: tf.Tensor): Comparison {
  const sameShape = got.shape.length === want.shape.length && got.shape.every((d, i) => d === want.shape[i]);
  const err = sameShape ? relErr(got.data as Float32Array, want.dataSync() as Float32Array) : Infinity;
  return { what, shape: `[${got.shape.join(', ')}]${sameShape ? '' : ` vs tf [${want.shape.join(', ')}]`}`, relErr: err };
}

/** Engine int64 tensors become int32 for TF.js (its integer type); floats pass as is. */
function toTf(t: Tensor): tf.Tensor {
  if (t.dtype === 'int64' || t.dtype === 'int32') return tf.tensor(Int32Array.from(t.toNumbers()), [...t.shape], 'int32');
  if (t.dtype !== 'float32') throw new Error(`cross-check inputs must be float32 or integer, got ${t.dtype}`);
  return tf.tensor(t.data as Float32Array, [...t.shape], 'float32');
}

async function runEngine(c: CrossCheckCase, runtime: Runtime): Promise<Record<string, Tensor>> {
  const graph = new Graph(c.name);
  // Parameters are graph inputs (not initializers) so they can be fed and differentiated.
  const p = Object.fromEntries(Object.entries(c.params).map(([n, { shape }]) => [n, graph.input(n, 'float32', shape)]));
  const x = Object.fromEntries(Object.entries(c.inputs).map(([n, t]) => [n, graph.input(n, t.dtype, [...t.shape])]));
  const { loss, logits } = c.engine(p, x);
  const names = Object.keys(c.params);
  const grads = gradients(loss, names.map((n) => p[n]));
  graph.output({ loss, logits }, Object.fromEntries(names.map((n, i) => [`d_${n}`, grads[i]])));
  const session = await runtime.compile(graph);
  const feeds: Record<string, Tensor> = { ...c.inputs };
  for (const [n, { shape, data }] of Object.entries(c.params)) feeds[n] = new Tensor('float32', shape, data);
  return session.run(feeds);
}

/** Forward and all gradients in TF.js; the caller runs it inside tf.tidy, which frees them. */
function runReference(c: CrossCheckCase): { loss: tf.Scalar; logits: tf.Tensor; grads: Record<string, tf.Tensor> } {
  const names = Object.keys(c.params);
  const params = names.map((n) => tf.tensor(c.params[n].data, c.params[n].shape, 'float32'));
  const x = Object.fromEntries(Object.entries(c.inputs).map(([n, t]) => [n, toTf(t)]));
  const asRecord = (ts: tf.Tensor[]): Record<string, tf.Tensor> => Object.fromEntries(names.map((n, i) => [n, ts[i]]));
  const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => c.reference(asRecord(ps), x).loss)(params);
  // Logits are read in a second, plain forward pass: valueAndGrads only returns the scalar.
  const { logits } = c.reference(asRecord(params), x);
  return { loss: value, logits, grads: asRecord(grads) };
}

async function crossCheck(c: CrossCheckCase, runtime: Runtime): Promise<Comparison[]> {
  const engine = await runEngine(c, runtime);
  let rows: Comparison[] = [];
  // tidy frees every TF.js tensor made here; it only passes tensors out, so rows go by closure.
  tf.tidy(() => {
    const ref = runReference(c);
    rows = [
      compare('loss', engine.loss, ref.loss),
      compare('logits', engine.logits, ref.logits),
      ...Object.keys(c.params).map((n) => compare(`d ${n}`, engine[`d_${n}`], ref.grads[n])),
    ];
  });
  return rows;
}

function report(name: string, rows: Comparison[]): void {
  const lines = rows.map((r) => `  ${r.what.padEnd(12)} ${r.shape.padEnd(12)} relErr ${r.relErr.toExponential(2)}`);
  console.log(`${name}: max relative error per tensor (tolerance ${RTOL})\n${lines.join('\n')}`);
}

function expectClose(rows: Comparison[]): void {
  const failing = rows.filter((r) => !(r.relErr <= RTOL)).map((r) => `${r.what} ${r.shape}: ${r.relErr}`);
  expect(failing).toEqual([]);
}

// --- parameter and input generation ---------------------------------------------------------

function normal(rng: Rng, shape: number[], mean: number, std: number): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: size }, () => rng.normal(mean, std)) };
}

function randomInts(rng: Rng, shape: number[], n: number): number[] {
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(n));
}

// --- reference building blocks in TF.js (written from the math, not from our graphs) --------

/** Exact GELU: x Φ(x) = ½ x (1 + erf(x / √2)). tfjs-core has no gelu op. */
function tfGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** LayerNorm over the last axis with the biased variance, as in PyTorch/GPT-2. */
function tfLayerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), weight), bias);
}

/** Mean over rows of −log softmax(logits)[label]; logits [N, V], labels int32 [N]. */
function tfCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const logProb = tf.logSoftmax(logits, -1); // [N, V]
  const picked = tf.sum(tf.mul(logProb, tf.oneHot(labels as tf.Tensor1D, logits.shape[1]!)), -1); // [N]
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

// --- model 1: two-layer MLP -----------------------------------------------------------------

function mlpCase(): CrossCheckCase {
  const [B, IN, HID, OUT] = [4, 8, 16, 3];
  const rng = new Rng(1234);
  const params = {
    w1: normal(rng, [IN, HID], 0, 1 / Math.sqrt(IN)),
    b1: normal(rng, [HID], 0, 0.1),
    w2: normal(rng, [HID, OUT], 0, 1 / Math.sqrt(HID)),
    b2: normal(rng, [OUT], 0, 0.1),
  };
  const inputs = {
    x: Tensor.from('float32', [B, IN], Array.from({ length: B * IN }, () => rng.uniform(-2, 2))),
    labels: Tensor.from('int64', [B], randomInts(rng, [B], OUT)),
  };
  return {
    name: 'mlp',
    params,
    inputs,
    engine: (p, x) => {
      const h = F.gelu(F.add(F.matmul(x.x, p.w1), p.b1), 'none'); // [B, HID]
      const logits = F.add(F.matmul(h, p.w2), p.b2); // [B, OUT]
      return { loss: F.crossEntropy(logits, x.labels), logits };
    },
    reference: (p, x) => {
      const h = tfGelu(tf.add(tf.matMul(x.x, p.w1), p.b1)); // [B, HID]
      const logits = tf.add(tf.matMul(h, p.w2), p.b2); // [B, OUT]
      return { loss: tfCrossEntropy(logits, x.labels), logits };
    },
  };
}

// --- model 2: one GPT-2 block with tied embeddings --------------------------------------------

const NEG = -1e9; // added to masked scores; exp underflows to exactly 0 in float32

function attentionCase(): CrossCheckCase {
  const [B, T, V, C, NH] = [2, 5, 11, 8, 2];
  const HS = C / NH;
  const rng = new Rng(5678);
  // Larger-than-GPT-2 init scales so softmax, LayerNorm and GELU-free paths are all far
  // from their linear regimes and every gradient term is exercised.
  const params = {
    wte: normal(rng, [V, C], 0, 0.5),
    wpe: normal(rng, [T, C], 0, 0.3),
    ln1_w: normal(rng, [C], 1, 0.2),
    ln1_b: normal(rng, [C], 0, 0.2),
    qkv_w: normal(rng, [C, 3 * C], 0, 0.5),
    qkv_b: normal(rng, [3 * C], 0, 0.2),
    proj_w: normal(rng, [C, C], 0, 0.5),
    proj_b: normal(rng, [C], 0, 0.2),
    lnf_w: normal(rng, [C], 1, 0.2),
    lnf_b: normal(rng, [C], 0, 0.2),
  };
  // One sequence of T+1 tokens per row: the model reads the first T, predicts the last T.
  const seq = randomInts(rng, [B, T + 1], V);
  const rows = (from: number): number[] => Array.from({ length: B * T }, (_, i) => seq[Math.floor(i / T) * (T + 1) + (i % T) + from]);
  const inputs = {
    tokens: Tensor.from('int64', [B, T], rows(0)),
    targets: Tensor.from('int64', [B, T], rows(1)),
  };

  return {
    name: 'gpt2_block',
    params,
    inputs,
    engine: (p, x) => {
      const g = p.wte.graph;
      const emb = F.add(F.gather(p.wte, x.tokens), p.wpe); // [B, T, C]
      const h = F.layerNorm(emb, p.ln1_w, p.ln1_b); // [B, T, C]
      const qkv = F.add(F.matmul(h, p.qkv_w), p.qkv_b); // [B, T, 3C]
      const heads = (t: Value): Value => F.transpose(F.reshape(t, [B, T, NH, HS]), [0, 2, 1, 3]); // [B, nh, T, hs]
      const [q, k, v] = F.split(qkv, [C, C, C], 2).map(heads);
      const scores = F.div(F.matmul(q, F.transpose(k, [0, 1, 3, 2])), Math.sqrt(HS)); // [B, nh, T, T]
      const mask = F.trilu(F.full(g, [T, T], NEG), true, 1); // [T, T], NEG strictly above the diagonal
      const att = F.softmax(F.add(scores, mask), -1); // [B, nh, T, T]
      const y = F.reshape(F.transpose(F.matmul(att, v), [0, 2, 1, 3]), [B, T, C]); // [B, T, C]
      const resid = F.add(emb, F.add(F.matmul(y, p.proj_w), p.proj_b)); // [B, T, C]
      const hf = F.layerNorm(resid, p.lnf_w, p.lnf_b); // [B, T, C]
      const logits = F.matmul(hf, F.transpose(p.wte, [1, 0])); // [B, T, V]
      const loss = F.crossEntropy(F.reshape(logits, [B * T, V]), F.reshape(x.targets, [B * T]));
      return { loss, logits };
    },
    reference: (p, x) => {
      const emb = tf.add(tf.gather(p.wte, x.tokens), p.wpe); // [B, T, C]
      const h = tfLayerNorm(emb, p.ln1_w, p.ln1_b); // [B, T, C]
      const qkv = tf.add(tf.matMul(tf.reshape(h, [B * T, C]), p.qkv_w), p.qkv_b); // [B*T, 3C]
      // Causal mask from a band of ones: keep j ≤ i.
      const keep = tf.cast(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 'bool'); // [T, T]
      // Heads one at a time from column slices (head n owns channels n·hs..(n+1)·hs of each
      // of q, k, v, the GPT-2 layout), instead of the engine's reshape + transpose.
      const headOutputs: tf.Tensor[] = [];
      for (let n = 0; n < NH; n++) {
        const cols = (part: number): tf.Tensor3D => tf.reshape(tf.slice(qkv, [0, part * C + n * HS], [B * T, HS]), [B, T, HS]);
        const [q, k, v] = [cols(0), cols(1), cols(2)]; // [B, T, hs] each
        const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(HS)); // [B, T, T]
        const masked = tf.where(tf.broadcastTo(keep, [B, T, T]), scores, tf.fill([B, T, T], NEG));
        headOutputs.push(tf.matMul(tf.softmax(masked, -1) as tf.Tensor3D, v)); // [B, T, hs]
      }
      const y = tf.reshape(tf.concat(headOutputs, -1), [B * T, C]); // [B*T, C]
      const resid = tf.add(emb, tf.reshape(tf.add(tf.matMul(y, p.proj_w), p.proj_b), [B, T, C])); // [B, T, C]
      const hf = tfLayerNorm(resid, p.lnf_w, p.lnf_b); // [B, T, C]
      const logits2d = tf.matMul(tf.reshape(hf, [B * T, C]), p.wte, false, true); // [B*T, V]
      const loss = tfCrossEntropy(logits2d, tf.reshape(x.targets, [B * T]));
      return { loss, logits: tf.reshape(logits2d, [B, T, V]) };
    },
  };
}

// --- tests ------------------------------------------------------------------------------------

describe('cross-check against TensorFlow.js (cpu backend, float32)', () => {
  const runtime = new Runtime();
  useTfCpuBackend();

  afterAll(() => runtime.dispose());

  test('tf.js loads as CommonJS on the cpu backend', () => {
    expect(tf.getBackend()).toBe('cpu');
  });

  test('two-layer MLP: GELU (erf) + cross-entropy; forward and all 4 parameter gradients', async () => {
    const rows = await crossCheck(mlpCase(), runtime);
    report('mlp', rows);
    expectClose(rows);
  });

  test('GPT-2 pre-LN causal attention block with tied embeddings; forward and all 10 parameter gradients', async () => {
    const c = attentionCase();
    // A repeated token makes the embedding gradient accumulate rows (Gather's ScatterND 'add').
    const tokens = c.inputs.tokens.toNumbers();
    expect(new Set(tokens).size).toBeLessThan(tokens.length);
    const rows = await crossCheck(c, runtime);
    report('gpt2_block', rows);
    expectClose(rows);
  });
});
