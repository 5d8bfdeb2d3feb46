/**
 * The engine demo (`npm run demo`): a two-layer transformer learns to sort sequences of
 * digits. Every training step is one ONNX Runtime session run that returns the loss and
 * the gradients of all weights; AdamW updates them in TypeScript.
 *
 * A sequence is `d1 … dL SEP s1 … sL` with s the digits in ascending order. The model
 * reads it left to right and is scored only on what follows SEP: to get it right it must
 * find, among the unsorted digits, the next one not yet written.
 */
import { TransformerConfig, buildTransformer, weightSpecs } from '@carve/bench';
import { AdamW, Graph, gradients, Rng, Runtime, Tensor, warmupCosine } from '@carve/engine';

const DIGITS = 10;
const SEP = 10;
const IGNORE = -100;
const LENGTH = 12; // digits per sequence
const STEPS = 1200;

const config: TransformerConfig = {
  batch: 32,
  seq: 2 * LENGTH, // inputs: the sequence without its last token
  dModel: 64,
  heads: 4,
  layers: 2,
  vocab: DIGITS + 1,
  dMlp: 256,
  gelu: 'none',
  ignoreIndex: IGNORE,
};

/** A batch of sequences as next-token inputs and targets; targets before SEP are ignored. */
function batch(rng: Rng, size: number): { tokens: Tensor<'int64'>; targets: Tensor<'int64'>; digits: number[][] } {
  const T = config.seq;
  const tokens = new BigInt64Array(size * T);
  const targets = new BigInt64Array(size * T);
  const digits: number[][] = [];
  for (let b = 0; b < size; b++) {
    const d = Array.from({ length: LENGTH }, () => rng.int(DIGITS));
    const sequence = [...d, SEP, ...[...d].sort((a, b) => a - b)]; // 2L + 1 tokens
    for (let t = 0; t < T; t++) {
      tokens[b * T + t] = BigInt(sequence[t]);
      targets[b * T + t] = BigInt(t >= LENGTH ? sequence[t + 1] : IGNORE);
    }
    digits.push(d);
  }
  return { tokens: new Tensor('int64', [size, T], tokens), targets: new Tensor('int64', [size, T], targets), digits };
}

function initialWeights(rng: Rng): Record<string, Float32Array> {
  const weights: Record<string, Float32Array> = {};
  for (const s of weightSpecs(config)) {
    const data = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
    if (s.init === 'ones') data.fill(1);
    else if (s.init === 'normal') for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, 0.02);
    weights[s.name] = data;
  }
  return weights;
}

/** Fraction of scored positions predicted right, and of sequences sorted without error. */
function accuracy(logits: Tensor, targets: Tensor): { tokens: number; sequences: number } {
  const V = config.vocab;
  const T = config.seq;
  const x = logits.data as Float32Array;
  const y = targets.data as BigInt64Array;
  let right = 0;
  let scored = 0;
  let perfect = 0;
  for (let b = 0; b < y.length / T; b++) {
    let allRight = true;
    for (let t = LENGTH; t < T; t++) {
      const row = (b * T + t) * V;
      let best = 0;
      for (let v = 1; v < V; v++) if (x[row + v] > x[row + best]) best = v;
      const ok = BigInt(best) === y[b * T + t];
      right += ok ? 1 : 0;
      scored += 1;
      allRight &&= ok;
    }
    perfect += allRight ? 1 : 0;
  }
  return { tokens: right / scored, sequences: perfect / (y.length / T) };
}

async function main(): Promise<void> {
  const rng = new Rng(2024);
  const names = weightSpecs(config).map((s) => s.name);
  const shapes = Object.fromEntries(weightSpecs(config).map((s) => [s.name, s.shape]));

  const train = buildTransformer(config, 'sort_train');
  const grads = gradients(train.loss, names.map((n) => train.weights.get(n)!));
  train.graph.output({ loss: train.loss });
  train.graph.output(Object.fromEntries(names.map((n, i) => [`grad.${n}`, grads[i]])));
  const evaluate: Graph = (() => {
    const e = buildTransformer(config, 'sort_eval');
    e.graph.output({ loss: e.loss, logits: e.logits });
    return e.graph;
  })();

  const runtime = new Runtime({ intraOpThreads: 2 });
  const step = await runtime.compile(train.graph);
  const evalSession = await runtime.compile(evaluate);
  const weights = initialWeights(rng);
  const weightFeeds = Object.fromEntries(names.map((n) => [n, new Tensor('float32', shapes[n], weights[n])]));
  const optimizer = new AdamW(weights, { weightDecay: 0.01, noDecay: (n) => !/w_|wte|wpe/.test(n) });
  const lr = warmupCosine({ peakLr: 3e-3, warmupSteps: 100, totalSteps: STEPS, minLr: 1e-4 });
  const heldOut = batch(new Rng(7), config.batch);

  const params = weightSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  console.log(`training a ${config.layers}-layer transformer (${params.toLocaleString('en')} parameters) to sort ${LENGTH} digits`);
  const started = Date.now();
  let first: { loss: number; tokens: number; sequences: number } | undefined;
  let last = { loss: NaN, tokens: 0, sequences: 0 };
  for (let s = 0; s <= STEPS; s++) {
    if (s % 200 === 0) {
      const out = await evalSession.run({ ...weightFeeds, tokens: heldOut.tokens, targets: heldOut.targets });
      last = { loss: Number(out.loss.data[0]), ...accuracy(out.logits, heldOut.targets) };
      first ??= last;
      const pct = (v: number) => `${(100 * v).toFixed(1)}%`.padStart(6);
      console.log(`step ${String(s).padStart(4)}  held-out loss ${last.loss.toFixed(4)}  digits right ${pct(last.tokens)}  sequences right ${pct(last.sequences)}`);
    }
    if (s === STEPS) break;
    const { tokens, targets } = batch(rng, config.batch);
    const out = await step.run({ ...weightFeeds, tokens, targets });
    optimizer.step(Object.fromEntries(names.map((n) => [n, out[`grad.${n}`].data as Float32Array])), lr(s));
  }
  const seconds = (Date.now() - started) / 1000;

  const sample = await evalSession.run({ ...weightFeeds, tokens: heldOut.tokens, targets: heldOut.targets });
  const logits = sample.logits.data as Float32Array;
  for (let b = 0; b < 3; b++) {
    const predicted: number[] = [];
    for (let t = LENGTH; t < config.seq; t++) {
      const row = (b * config.seq + t) * config.vocab;
      let best = 0;
      for (let v = 1; v < config.vocab; v++) if (logits[row + v] > logits[row + best]) best = v;
      predicted.push(best);
    }
    console.log(`  ${heldOut.digits[b].join(' ')}  ->  ${predicted.join(' ')}`);
  }
  console.log(
    `done in ${seconds.toFixed(1)} s (${((STEPS * config.batch * config.seq) / seconds / 1000).toFixed(1)}k tokens/s): ` +
      `held-out loss ${first!.loss.toFixed(3)} -> ${last.loss.toFixed(3)}, digits right ${(100 * last.tokens).toFixed(1)}%, ` +
      `sequences right ${(100 * last.sequences).toFixed(1)}%`,
  );
  await runtime.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
