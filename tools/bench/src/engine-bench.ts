/**
 * Engine benchmark: in one run, for each intra-op thread count,
 *  1. float32 MatMul throughput (the machine's practical peak in GFLOP/s),
 *  2. the forward pass with loss of a small GPT-2-style model (see transformer.ts),
 *  3. the training step (loss and the gradients of all weights, one session run),
 * each as the median of N timed runs after warm-up. Prints a table, then one line of JSON.
 *
 *   node tools/bench/dist/engine-bench.js [--runs 20] [--warmup 5] [--threads 1,2] [--interleave]
 */
import * as os from 'node:os';
import { F, Graph, Rng, Runtime, Tensor } from '@carve/engine';
import { DEFAULT_CONFIG, forwardFlops, forwardGraph, parameterCount, randomFeeds, stepFlops, trainingGraph } from './transformer';
import { parseArgs, round, table, time, timeInterleaved, Timing } from './timing';

/** A MatMul case: a label, the graph, its feeds and its FLOPs. */
interface MatmulCase {
  label: string;
  graph: Graph;
  feeds: Record<string, Tensor>;
  flops: number;
}

/** Uniform values scaled so that a product over `fanIn` keeps unit variance. */
function randomTensor(rng: Rng, shape: [number, number], fanIn: number): Tensor {
  const a = Math.sqrt(3 / fanIn);
  const data = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-a, a);
  return new Tensor('float32', shape, data);
}

/**
 * One product [m, k] x [k, n] per run. For 1024³ the per-run overhead (session run, the
 * output copied back to JavaScript) is negligible next to its 2 GFLOP; for the model's
 * small shapes it is not.
 */
function singleCase(rng: Rng, m: number, k: number, n: number): MatmulCase {
  const g = new Graph(`matmul_${m}x${k}x${n}`);
  const a = g.input('a', 'float32', [m, k]);
  const b = g.input('b', 'float32', [k, n]);
  g.output({ y: F.matmul(a, b) });
  return { label: `matmul ${m}x${k}x${n}`, graph: g, feeds: { a: randomTensor(rng, [m, k], 1), b: randomTensor(rng, [k, n], k) }, flops: 2 * m * k * n };
}

/**
 * The model's MLP shapes, chained so that per-run overhead is amortized:
 * x [m, k] → (x·W1 [k, n]) · W2 [n, k], `pairs` times; 2·pairs MatMul nodes.
 */
function chainCase(rng: Rng, m: number, k: number, n: number, pairs: number): MatmulCase {
  const g = new Graph(`matmul_chain_${m}x${k}x${n}`);
  const x0 = g.input('x', 'float32', [m, k]);
  const w1 = g.input('w1', 'float32', [k, n]);
  const w2 = g.input('w2', 'float32', [n, k]);
  let x = x0;
  for (let i = 0; i < pairs; i++) x = F.matmul(F.matmul(x, w1), w2);
  g.output({ y: x });
  return {
    label: `matmul chain ${m}x${k}x${n} (${2 * pairs} nodes)`,
    graph: g,
    feeds: { x: randomTensor(rng, [m, k], 1), w1: randomTensor(rng, [k, n], k), w2: randomTensor(rng, [n, k], n) },
    flops: pairs * 2 * (2 * m * k * n),
  };
}

function matmulCases(): MatmulCase[] {
  const rng = new Rng(7);
  const c = DEFAULT_CONFIG;
  const rows = c.batch * c.seq;
  return [singleCase(rng, 1024, 1024, 1024), singleCase(rng, rows, c.dModel, c.dMlp), chainCase(rng, rows, c.dModel, c.dMlp, 8)];
}

interface MatmulResult {
  label: string;
  timing: Timing;
  gflops: number;
}

interface ThreadResult {
  threads: number;
  matmuls: MatmulResult[];
  peak: number;
  forward: Timing;
  step: Timing;
  loss: number;
}

async function benchThreads(threads: number, runs: number, warmup: number, interleave: boolean): Promise<ThreadResult> {
  const runtime = new Runtime({ intraOpThreads: threads, interOpThreads: 1 });
  try {
    const matmuls: MatmulResult[] = [];
    for (const mc of matmulCases()) {
      const compiled = await runtime.compile(mc.graph);
      const timing = await time(() => compiled.run(mc.feeds), warmup, runs);
      matmuls.push({ label: mc.label, timing, gflops: mc.flops / (timing.median * 1e6) });
      await compiled.dispose();
    }
    const peak = Math.max(...matmuls.map((r) => r.gflops));

    const c = DEFAULT_CONFIG;
    const feeds = randomFeeds(c);
    const fwd = await runtime.compile(forwardGraph(c));
    const stepGraph = await runtime.compile(trainingGraph(c));
    const loss = Number((await fwd.run(feeds)).loss.data[0]);
    const stepOut = await stepGraph.run(feeds);
    const stepLoss = Number(stepOut.loss.data[0]);
    if (Math.abs(stepLoss - loss) > 1e-4 * Math.max(1, Math.abs(loss))) {
      throw new Error(`the training step's loss ${stepLoss} differs from the forward's ${loss}`);
    }
    for (const [name, t] of Object.entries(stepOut)) {
      if (!(t.data as Float32Array).every(Number.isFinite)) throw new Error(`output '${name}' has non-finite values`);
    }
    const runFwd = (): Promise<unknown> => fwd.run(feeds);
    const runStep = (): Promise<unknown> => stepGraph.run(feeds);
    // One after the other by default. Interleaved (--interleave), a change in load affects
    // both; but each session has its own intra-op pool whose workers spin after a run, which
    // slows the other session at 2+ threads, so settle runs precede each block.
    const [forward, step] = interleave
      ? await timeInterleaved([runFwd, runStep], warmup, runs)
      : [await time(runFwd, warmup, runs), await time(runStep, warmup, runs)];
    await fwd.dispose();
    await stepGraph.dispose();
    return { threads, matmuls, peak, forward, step, loss };
  } finally {
    await runtime.dispose();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { runs: 20, warmup: 5, threads: [1, 2], interleave: false });
  const c = DEFAULT_CONFIG;
  const tokens = c.batch * c.seq;
  const fwdFlops = forwardFlops(c);
  const trainFlops = stepFlops(c);
  const fwdNodes = forwardGraph(c).nodes.length;
  const stepNodes = trainingGraph(c).nodes.length;
  const loadBefore = os.loadavg()[0];

  console.log(`engine benchmark, ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load average ${loadBefore.toFixed(2)}`);
  console.log(
    `model: B=${c.batch} T=${c.seq} d=${c.dModel} heads=${c.heads} layers=${c.layers} vocab=${c.vocab} mlp=${c.dMlp} gelu=${c.gelu}; ` +
      `${parameterCount(c)} parameters; ${fwdNodes} nodes forward, ${stepNodes} nodes step`,
  );
  console.log(`matmul FLOPs: forward ${(fwdFlops / 1e6).toFixed(1)} M, step ${(trainFlops / 1e6).toFixed(1)} M (3 × forward)`);
  console.log(
    `median of ${args.runs} runs after ${args.warmup} warm-up runs${args.interleave ? ' (forward and step in alternating blocks of 5, 2 settle runs each)' : ''}; ` +
      'interOpThreads 1; peak = the fastest MatMul case at that thread count\n',
  );

  const results: ThreadResult[] = [];
  for (const t of args.threads) results.push(await benchThreads(t, args.runs, args.warmup, args.interleave));
  const loadAfter = os.loadavg()[0];

  const rows: string[][] = [];
  for (const r of results) {
    for (const mm of r.matmuls) {
      rows.push([mm.label, String(r.threads), mm.timing.median.toFixed(3), mm.timing.min.toFixed(3), '', mm.gflops.toFixed(1), `${((100 * mm.gflops) / r.peak).toFixed(0)}%`]);
    }
    for (const [label, timing, flops] of [
      ['forward + loss', r.forward, fwdFlops],
      ['step (loss + grads)', r.step, trainFlops],
    ] as const) {
      const gflops = flops / (timing.median * 1e6);
      rows.push([label, String(r.threads), timing.median.toFixed(3), timing.min.toFixed(3), ((tokens * 1000) / timing.median).toFixed(0), gflops.toFixed(1), `${((100 * gflops) / r.peak).toFixed(0)}%`]);
    }
  }
  console.log(table(['case', 'threads', 'median ms', 'min ms', 'tokens/s', 'GFLOP/s', '% of peak'], rows));
  console.log('');
  for (const r of results) {
    console.log(
      `${r.threads} thread(s): step / forward = ${(r.step.median / r.forward.median).toFixed(2)} (target ≤ 3), ` +
        `peak ${r.peak.toFixed(1)} GFLOP/s, loss ${r.loss.toFixed(4)}`,
    );
  }
  if (loadBefore > 0.5 * os.cpus().length || loadAfter > 0.5 * os.cpus().length) {
    console.log(`note: load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after: other processes were running`);
  }

  const summary: Record<string, unknown> = {
    bench: 'engine',
    date: new Date().toISOString(),
    runs: args.runs,
    interleave: args.interleave,
    warmup: args.warmup,
    config: c,
    params: parameterCount(c),
    fwd_gflop: round(fwdFlops / 1e9, 4),
    step_gflop: round(trainFlops / 1e9, 4),
    load_before: round(loadBefore, 2),
    load_after: round(loadAfter, 2),
  };
  for (const r of results) {
    const t = `${r.threads}t`;
    const fwdG = fwdFlops / (r.forward.median * 1e6);
    const stepG = trainFlops / (r.step.median * 1e6);
    summary[`peak_gflops_${t}`] = round(r.peak, 1);
    summary[`matmul_1024_gflops_${t}`] = round(r.matmuls[0].gflops, 1);
    summary[`matmul_512x128x512_gflops_${t}`] = round(r.matmuls[1].gflops, 1);
    summary[`matmul_chain_gflops_${t}`] = round(r.matmuls[2].gflops, 1);
    Object.assign(summary, {
      [`fwd_ms_${t}`]: round(r.forward.median),
      [`fwd_min_ms_${t}`]: round(r.forward.min),
      [`fwd_tokens_per_s_${t}`]: Math.round((tokens * 1000) / r.forward.median),
      [`fwd_gflops_${t}`]: round(fwdG, 1),
      [`fwd_frac_peak_${t}`]: round(fwdG / r.peak),
      [`step_ms_${t}`]: round(r.step.median),
      [`step_min_ms_${t}`]: round(r.step.min),
      [`step_tokens_per_s_${t}`]: Math.round((tokens * 1000) / r.step.median),
      [`step_gflops_${t}`]: round(stepG, 1),
      [`step_frac_peak_${t}`]: round(stepG / r.peak),
      [`step_over_fwd_${t}`]: round(r.step.median / r.forward.median),
    });
  }
  console.log(JSON.stringify(summary));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
