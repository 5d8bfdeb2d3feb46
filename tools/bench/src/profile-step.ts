/**
 * Profiles the benchmark model's forward and training-step graphs with ONNX Runtime's
 * profiler and prints where the kernel time goes: per operator type (after ONNX Runtime's
 * graph optimizations, so fused ops appear under their fused names), per phase (forward
 * nodes against the gradient nodes autodiff added under the `grad/` scope), and the
 * slowest nodes. Uses the same session settings as the engine's Runtime.
 *
 *   node tools/bench/dist/profile-step.js [--runs 20] [--warmup 5] [--threads 1]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Graph, serializeModel, Tensor } from '@carve/engine';
import { DEFAULT_CONFIG, forwardGraph, randomFeeds, trainingGraph } from './transformer';
import { parseArgs, table } from './timing';

/** One event of ONNX Runtime's Chrome-trace profile. */
interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; provider?: string };
}

interface Totals {
  /** Microseconds summed over all runs. */
  us: number;
  count: number;
}

function toOrt(t: Tensor): ort.Tensor {
  return new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as never, t.shape as number[]);
}

async function profile(graph: Graph, feeds: Record<string, Tensor>, threads: number, warmup: number, runs: number): Promise<ProfileEvent[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-profile-'));
  const session = await ort.InferenceSession.create(serializeModel(graph), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    enableProfiling: true,
    profileFilePrefix: path.join(dir, 'profile'),
    optimizedModelFilePath: path.join(dir, `${graph.name}.optimized.onnx`),
    extra: { session: { set_denormal_as_zero: '1' } },
  });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const input of graph.inputs) ortFeeds[input.name] = toOrt(feeds[input.name]);
  for (let i = 0; i < warmup + runs; i++) await session.run(ortFeeds);
  session.endProfiling();
  await session.release();
  const file = fs.readdirSync(dir).find((f) => f.startsWith('profile') && f.endsWith('.json'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const events = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as ProfileEvent[];
  fs.rmSync(dir, { recursive: true, force: true });
  // Drop the warm-up runs: keep the events after the warm-up's last model_run.
  let seen = 0;
  let start = 0;
  events.forEach((e, i) => {
    if (e.cat === 'Session' && e.name === 'model_run' && ++seen === warmup) start = i + 1;
  });
  return events.slice(start);
}

function add(map: Map<string, Totals>, key: string, us: number): void {
  const t = map.get(key) ?? { us: 0, count: 0 };
  t.us += us;
  t.count += 1;
  map.set(key, t);
}

function report(title: string, events: ProfileEvent[], runs: number, top: number): void {
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const runUs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').reduce((s, e) => s + e.dur, 0) / runs;
  const kernelUs = kernels.reduce((s, e) => s + e.dur, 0) / runs;
  const nodes = new Set(kernels.map((e) => e.name)).size;
  console.log(`\n== ${title}: model_run ${(runUs / 1000).toFixed(2)} ms per run, kernels ${(kernelUs / 1000).toFixed(2)} ms, ` +
    `other ${((runUs - kernelUs) / 1000).toFixed(2)} ms (${nodes} nodes after optimization, ${((runUs - kernelUs) / Math.max(1, nodes)).toFixed(1)} µs per node)`);

  const byOp = new Map<string, Totals>();
  const byPhase = new Map<string, Totals>();
  const byNode = new Map<string, Totals>();
  for (const e of kernels) {
    const node = e.name.slice(0, -'_kernel_time'.length);
    const op = e.args?.op_name ?? '?';
    add(byOp, op, e.dur);
    add(byNode, `${node} (${op})`, e.dur);
    add(byPhase, node.includes('grad/') ? 'backward (grad/ nodes)' : 'forward and loss', e.dur);
  }
  const pct = (us: number): string => `${((100 * us) / (kernelUs * runs)).toFixed(1)}%`;
  const rows = (map: Map<string, Totals>, limit: number): string[][] =>
    [...map.entries()]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, limit)
      .map(([k, t]) => [k, String(t.count / runs), (t.us / runs / 1000).toFixed(3), pct(t.us)]);
  console.log(table(['phase', 'nodes', 'ms/run', 'share'], rows(byPhase, 10)));
  console.log('');
  console.log(table(['operator', 'nodes', 'ms/run', 'share'], rows(byOp, 40)));
  console.log('');
  console.log(table([`slowest ${top} nodes`, 'calls', 'ms/run', 'share'], rows(byNode, top)));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { runs: 20, warmup: 5, threads: [1], interleave: false });
  const c = DEFAULT_CONFIG;
  const feeds = randomFeeds(c);
  for (const threads of args.threads) {
    console.log(`\n##### ${threads} intra-op thread(s), ${args.runs} profiled runs after ${args.warmup} warm-up runs`);
    report('forward + loss', await profile(forwardGraph(c), feeds, threads, args.warmup, args.runs), args.runs, 15);
    report('training step', await profile(trainingGraph(c), feeds, threads, args.warmup, args.runs), args.runs, 30);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
