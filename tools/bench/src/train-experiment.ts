/**
 * @module train-experiment
 * `npm run bench:train-experiment -- --steps N --threads N`: does super-network training
 * help the sub-networks? stories260K is sorted by importance, its base frozen, and LoRA
 * adapters are trained with `sandwich` and, separately from the same start, `sandwich-kd`
 * for the same number of steps. Every point of the calibrated grid is then evaluated on a
 * fixed slice of the TinyStories validation text: untrained (B = 0: the sorted base), after
 * sandwich, after sandwich-kd. The last line printed is a JSON summary.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Rng, Runtime } from '@carve/engine';
import { buildCalibrationSet, importanceOrders, permuteModel, scoreImportance } from '@carve/importance';
import { Checkpoint, countParams, initLora, LanguageModel, loadLlama2c, loadTokenizer, LoraConfig, SubNetwork, weightMagnitude } from '@carve/model';
import { calibratedSampler, drawFrom, Sampler, SamplerContext } from '@carve/sampler';
import { jointSpace, SearchSpace } from '@carve/search-space';
import { buildTrainingData, DataLoader, sandwichKdStrategy, sandwichStrategy, SuperNetworkStep, SuperNetworkTrainer, TrainingData, TrainingStrategy } from '@carve/trainer';
import { haveStories260K, STORIES260K_PATH } from './assets';
import { round } from './timing';

const LORA: LoraConfig = { rank: 8, alpha: 16, dropout: 0, targets: ['q', 'k', 'v', 'o', 'mlp', 'head'] };
const STRATEGIES = ['sandwich', 'sandwich-kd'] as const;
type StrategyName = (typeof STRATEGIES)[number];

interface Args {
  steps: number;
  threads: number;
  seqLen: number;
  batch: number;
  /** Sub-networks per step besides the full one (the smallest forced among them). */
  n: number;
  lr: number;
  warmup: number;
  evalWindows: number;
  evalSeqLen: number;
  seed: number;
}

/** Flags and their defaults; every value is a positive integer but `lr` (a positive number) and `warmup`, `seed` (may be 0). */
const FLAGS = { steps: 800, threads: 1, 'seq-len': 128, batch: 8, n: 2, lr: 1e-3, warmup: 10, 'eval-windows': 32, 'eval-seq-len': 256, seed: 0 };
type Flag = keyof typeof FLAGS;

function readArgs(): Args {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([k, v]) => [k, { type: 'string' as const, default: String(v) }]));
  const { values } = parseArgs({ options, strict: true });
  const problems: string[] = [];
  const num = (k: Flag): number => {
    const v = Number(values[k]);
    const ok = k === 'lr' ? v > 0 : Number.isInteger(v) && v >= (k === 'warmup' || k === 'seed' ? 0 : 1);
    if (!ok) problems.push(`--${k} ${String(values[k])}`);
    return v;
  };
  const args: Args = {
    steps: num('steps'),
    threads: num('threads'),
    seqLen: num('seq-len'),
    batch: num('batch'),
    n: num('n'),
    lr: num('lr'),
    warmup: num('warmup'),
    evalWindows: num('eval-windows'),
    evalSeqLen: num('eval-seq-len'),
    seed: num('seed'),
  };
  if (problems.length) throw new Error(`train-experiment: invalid ${problems.join(', ')}; give positive integers (--lr a positive number; --warmup and --seed may be 0)`);
  return args;
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/** A short label: E(mbed)/H(eads)/S (head size)/M(LP)/L (depth). */
const label = (s: SubNetwork) => `E${s.embedDim}/H${s.layers[0].heads}/S${s.headSize}/M${s.layers[0].mlpHidden}/L${s.layers.length}`;

/** Trains fresh adapters with one strategy; returns them and the timings. */
async function train(
  name: StrategyName,
  args: Args,
  sorted: Checkpoint,
  space: SearchSpace,
  grid: Sampler,
  data: TrainingData,
  initial: ReadonlyMap<string, Float32Array>,
): Promise<{ adapters: Map<string, Float32Array>; seconds: number; stepMs: number; firstLoss: number; lastLoss: number }> {
  const adapters = new Map([...initial].map(([k, v]) => [k, Float32Array.from(v)]));
  const runtime = new Runtime({ intraOpThreads: args.threads });
  const step = new SuperNetworkStep({ config: sorted.config, weights: sorted.weights, lora: { config: LORA, adapters }, trainable: 'lora', runtime, seqLen: args.seqLen });
  // Both runs draw the same sub-networks: same seed, same grid.
  const samplerRng = new Rng(args.seed + 1);
  const sampler = drawFrom(grid, { space, rng: samplerRng });
  const ctx = { smallest: space.smallest() };
  const strategy: TrainingStrategy =
    name === 'sandwich' ? sandwichStrategy.create(sandwichStrategy.options.parse({ n: args.n }), ctx) : sandwichKdStrategy.create(sandwichKdStrategy.options.parse({ n: args.n }), ctx);
  const losses: number[] = [];
  const trainer = new SuperNetworkTrainer({
    step,
    strategy,
    sampler,
    samplerRng,
    data: new DataLoader(data),
    batchSize: args.batch,
    steps: args.steps,
    warmupSteps: args.warmup,
    lr: args.lr,
    minLr: args.lr / 10,
    optimizer: { weightDecay: 0 },
    clip: 1,
    onStep: (m) => {
      // The full network's cross-entropy: the same quantity in both strategies.
      losses.push(m.networks[0].ce);
      if (m.step % 25 === 0 || m.step === args.steps) {
        const students = m.networks.slice(1).map((r) => r.ce.toFixed(3)).join(' ');
        process.stderr.write(`  ${name} step ${m.step}/${args.steps}: full ce ${m.networks[0].ce.toFixed(3)}, students ce ${students}, |g| ${m.gradNorm.toFixed(3)}\n`);
      }
    },
  });
  const t0 = process.hrtime.bigint();
  await trainer.run();
  const s = seconds(t0);
  await step.dispose();
  await runtime.dispose();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const k = Math.min(10, losses.length);
  return { adapters, seconds: s, stepMs: (s * 1000) / args.steps, firstLoss: mean(losses.slice(0, k)), lastLoss: mean(losses.slice(-k)) };
}

/** Validation loss of every grid point with `adapters`. */
async function evaluate(sorted: Checkpoint, points: readonly SubNetwork[], adapters: ReadonlyMap<string, Float32Array>, ids: readonly number[], args: Args): Promise<number[]> {
  const runtime = new Runtime({ intraOpThreads: args.threads });
  const out: number[] = [];
  for (const subNetwork of points) {
    const lm = await LanguageModel.create(sorted, { runtime, subNetwork, lora: { config: LORA, adapters } });
    out.push((await lm.loss(ids, args.evalSeqLen)).loss);
    await lm.dispose();
  }
  await runtime.dispose();
  return out;
}

async function main(): Promise<void> {
  const args = readArgs();
  if (!haveStories260K()) throw new Error(`train-experiment needs ${STORIES260K_PATH}`);
  const assets = path.dirname(path.dirname(STORIES260K_PATH));
  const trainText = path.join(assets, 'text', 'tinystories_train_head.txt');
  const validText = path.join(assets, 'text', 'tinystories_valid_head.txt');
  const model = loadLlama2c(STORIES260K_PATH);
  const tokenizer = loadTokenizer(path.join(assets, 'stories260K', 'tok512.bin'), { vocabSize: model.config.vocabSize });
  const timings: Record<string, number> = {};

  // 1. Importance sorting on 64 calibration windows of 256 tokens of the training text.
  let t0 = process.hrtime.bigint();
  const calibration = buildCalibrationSet(tokenizer, [trainText], { seqLen: 256, samples: 64, seed: args.seed });
  const scoringRuntime = new Runtime({ intraOpThreads: args.threads });
  const scores = await scoreImportance(model, calibration, { runtime: scoringRuntime });
  await scoringRuntime.dispose();
  const orders = importanceOrders(model.config, scores);
  const sorted = permuteModel(model, orders).model;
  timings.importance_s = seconds(t0);

  // 2. The joint space with the importance layer order; its calibrated grid ranked by weight magnitude.
  t0 = process.hrtime.bigint();
  const space = jointSpace(sorted.config, { layerOrder: orders.layers });
  const gridCtx: SamplerContext = { space, rng: new Rng(args.seed), weightMagnitude: weightMagnitude(sorted) };
  const grid = calibratedSampler(gridCtx, { bins: 21, perBin: 5, rank: 'magnitude' });
  const points = await grid.sample(1 << 16);
  timings.grid_s = seconds(t0);

  // 3. Data: the training text as one document (stories stay separated by their newlines),
  // and a fixed validation slice: the first windows of the validation text after one BOS.
  const data = buildTrainingData(tokenizer, [{ format: 'text', path: trainText }], { seqLen: args.seqLen, seed: args.seed });
  const validIds = tokenizer.encode(fs.readFileSync(validText, 'utf8'), { bos: true }).slice(0, args.evalWindows * args.evalSeqLen + 1);
  if (validIds.length < args.evalWindows * args.evalSeqLen + 1) throw new Error(`${validText} gives ${validIds.length} tokens, fewer than ${args.evalWindows} windows of ${args.evalSeqLen} + 1`);

  const initial = initLora(sorted.config, LORA, new Rng(args.seed + 2));
  const params = points.map((s) => countParams(sorted.config, s));
  console.log(`stories260K sorted by importance (layer order ${orders.layers.join(',')}); ${points.length} grid points, ${params[0]}–${params[params.length - 1]} parameters`);
  console.log(
    `training: ${args.steps} steps, batch ${args.batch} × ${args.seqLen} tokens, full + ${args.n} sub-networks per step (smallest forced), ` +
      `LoRA r${LORA.rank}/α${LORA.alpha} on ${LORA.targets.join(',')}, lr ${args.lr} (warm-up ${args.warmup}, cosine to ${args.lr / 10}), ${data.train.rows} training rows, ${args.threads} thread(s)`,
  );

  t0 = process.hrtime.bigint();
  const before = await evaluate(sorted, points, initial, validIds, args);
  timings.eval_s = seconds(t0);
  const runs: Record<string, Awaited<ReturnType<typeof train>>> = {};
  const after: Record<string, number[]> = {};
  for (const name of STRATEGIES) {
    runs[name] = await train(name, args, sorted, space, grid, data, initial);
    after[name] = await evaluate(sorted, points, runs[name].adapters, validIds, args);
  }

  const rows = points.map((s, i) => ({ params: params[i], sub: label(s), before: before[i], sandwich: after.sandwich[i], kd: after['sandwich-kd'][i] }));
  console.log(`\nvalidation loss (nats/token) on ${args.evalWindows} windows of ${args.evalSeqLen} tokens of tinystories_valid_head.txt`);
  console.log('| # | params | sub-network | before | sandwich | sandwich-kd |');
  console.log('|---:|---:|---|---:|---:|---:|');
  rows.forEach((r, i) => console.log(`| ${i + 1} | ${r.params} | ${r.sub} | ${r.before.toFixed(3)} | ${r.sandwich.toFixed(3)} | ${r.kd.toFixed(3)} |`));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`| | | mean | ${mean(before).toFixed(3)} | ${mean(after.sandwich).toFixed(3)} | ${mean(after['sandwich-kd']).toFixed(3)} |`);
  for (const name of STRATEGIES) {
    const r = runs[name];
    const improved = after[name].filter((l, i) => l < before[i]).length;
    console.log(`${name}: ${r.seconds.toFixed(1)} s (${r.stepMs.toFixed(0)} ms/step); full-network train ce ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)} (mean of first/last 10 steps); ${improved}/${points.length} grid points improved`);
  }
  console.log(`importance ${timings.importance_s.toFixed(1)} s, grid ${timings.grid_s.toFixed(1)} s, one evaluation of the grid ${timings.eval_s.toFixed(1)} s`);
  console.log(
    JSON.stringify({
      bench: 'train-experiment',
      model: 'stories260K',
      steps: args.steps,
      threads: args.threads,
      batch: args.batch,
      seq_len: args.seqLen,
      n: args.n,
      lr: args.lr,
      eval: { windows: args.evalWindows, seq_len: args.evalSeqLen },
      layer_order: orders.layers,
      train_s: Object.fromEntries(STRATEGIES.map((n) => [n, round(runs[n].seconds, 1)])),
      step_ms: Object.fromEntries(STRATEGIES.map((n) => [n, Math.round(runs[n].stepMs)])),
      ...Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, round(v, 1)])),
      grid: rows.map((r) => ({ params: r.params, sub: r.sub, before: round(r.before, 4), sandwich: round(r.sandwich, 4), 'sandwich-kd': round(r.kd, 4) })),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
