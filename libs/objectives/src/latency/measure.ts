/**
 * @module latency/measure
 * Wall-clock latency of sub-networks as they would be deployed: extracted, exported to
 * ONNX with their weights inside, and run in ONNX Runtime on a device (the CPU unless told
 * otherwise) with a fixed number of threads. Two phases: prefill (one forward over the prompt) and decode (one new token
 * per sequence against a key/value cache holding the prompt).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { CompiledGraph, Device, DEVICES, ResolvedDevice, resolveDevice, Rng, Runtime, Tensor, UserError } from '@carve/engine';
import { Checkpoint, countParams, extractSubNetwork, onnxGraph, SubNetwork } from '@carve/model';

export interface LatencySettings {
  /** Sequences per run. @default 1 */
  batch?: number;
  /** Prompt length: the prefill's T and the length of the decode's cache. @default min(128, blockSize − 1) */
  seqLen?: number;
  /** Tokens each timed decode run generates, one call each, the cache fed back; times are per token. @default 1 */
  decodeTokens?: number;
  /** ONNX Runtime intra-op threads; inter-op threads are 1 and execution sequential. @default 1 */
  threads?: number;
  /** Let idle worker threads spin: faster back-to-back runs, at the cost of busy cores. @default false */
  spinning?: boolean;
  /** Untimed runs per phase before each stretch of timed runs. @default 3 */
  warmup?: number;
  /** Timed runs per phase and sub-network, in all. @default 20 */
  repeats?: number;
  /**
   * Passes the timed runs are split into: measureLatencies visits every sub-network once
   * per pass, in a fresh seeded order, so that a slow stretch of the machine is shared by
   * all of them rather than borne by a few. At most `repeats`. @default 1
   */
  rounds?: number;
  /** Seed of the token ids and of the visiting order. @default 0 */
  seed?: number;
  /**
   * Where the sessions run (see resolveDevice): 'cuda' fails where CUDA does not work, 'auto'
   * takes it where it does. On CUDA the times include copying the feeds to the GPU and the
   * outputs (the decode's cache among them) back. @default 'cpu'
   */
  device?: Device;
}

/** Run times of one phase, in milliseconds (per token for decode). */
export interface LatencyStats {
  p50: number;
  p90: number;
  mean: number;
  min: number;
}

/** Where the latency was measured. */
export interface DeviceInfo {
  cpu: string;
  cores: number;
  platform: string;
  arch: string;
  node: string;
  onnxruntime: string;
  /** The execution provider the sessions ran on. */
  executionProvider: 'cpu' | 'cuda';
  /** The hardware it names: 'CPU: <model>, <n> cores' or 'CUDA device 0 (...)'. */
  description: string;
}

export interface LatencyReport {
  prefill: LatencyStats;
  decode: LatencyStats;
  settings: Required<LatencySettings>;
  device: DeviceInfo;
  /** Parameters of the sub-network, embeddings included. */
  params: number;
}

/** The default prompt length: 128, or less when the model's block cannot hold it and a decoded token. */
export function defaultSeqLen(blockSize: number): number {
  return Math.min(128, blockSize - 1);
}

/** The settings with their defaults, checked against the model; every problem is listed in one error. */
export function resolveLatencySettings(model: Checkpoint, settings: LatencySettings = {}): Required<LatencySettings> {
  const { blockSize } = model.config;
  const resolved: Required<LatencySettings> = {
    batch: settings.batch ?? 1,
    seqLen: settings.seqLen ?? defaultSeqLen(blockSize),
    decodeTokens: settings.decodeTokens ?? 1,
    threads: settings.threads ?? 1,
    spinning: settings.spinning ?? false,
    warmup: settings.warmup ?? 3,
    repeats: settings.repeats ?? 20,
    rounds: settings.rounds ?? 1,
    seed: settings.seed ?? 0,
    device: settings.device ?? 'cpu',
  };
  const issues: string[] = [];
  const check = (name: keyof LatencySettings, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = resolved[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) issues.push(`${name}: ${v} is not an integer in [${min}, ${max}]`);
  };
  check('batch', 1);
  // Decoding writes positions seqLen .. seqLen + decodeTokens − 1, which must exist.
  check('seqLen', 1, blockSize - resolved.decodeTokens);
  check('decodeTokens', 1, blockSize - 1);
  check('threads', 1);
  check('warmup', 0);
  check('rounds', 1);
  check('repeats', resolved.rounds);
  check('seed', 0);
  if (!(DEVICES as readonly string[]).includes(resolved.device)) issues.push(`device: '${resolved.device}' is not one of ${DEVICES.join(', ')}`);
  if (issues.length) throw new UserError(`latency settings for '${model.config.name}': ${issues.join('; ')}`, 'invalid_latency_settings', issues);
  return resolved;
}

/**
 * The value at percentile p ∈ (0, 100] by the nearest-rank rule: the ⌈p/100 · n⌉-th
 * smallest of the n values, so the result is always one of the measured times.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

/** p50 and p90 (nearest rank), mean and min of run times. */
export function latencyStats(times: readonly number[]): LatencyStats {
  return { p50: percentile(times, 50), p90: percentile(times, 90), mean: times.reduce((a, b) => a + b, 0) / times.length, min: Math.min(...times) };
}

/** Token ids [batch, length] drawn uniformly from the vocabulary by a generator seeded with `seed`. */
export function latencyTokens(vocabSize: number, batch: number, length: number, seed: number): Tensor<'int64'> {
  const rng = new Rng(seed);
  return Tensor.from('int64', [batch, length], Array.from({ length: batch * length }, () => rng.int(vocabSize)));
}

let onnxruntimeVersion: string | undefined;

/**
 * The machine, Node and ONNX Runtime that times are measured with, on `device` as
 * resolveDevice gave it. @default the CPU
 */
export function deviceInfo(device?: ResolvedDevice): DeviceInfo {
  if (onnxruntimeVersion === undefined) {
    // onnxruntime-node is the engine's dependency, so it is resolved from the engine's package.
    const manifest = createRequire(require.resolve('@carve/engine')).resolve('onnxruntime-node/package.json');
    onnxruntimeVersion = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  const cpus = os.cpus();
  const cpu = cpus[0]?.model ?? 'unknown';
  return {
    cpu, cores: cpus.length, platform: os.platform(), arch: os.arch(), node: process.version, onnxruntime: onnxruntimeVersion,
    executionProvider: device?.provider ?? 'cpu', description: device?.description ?? `CPU: ${cpu.trim()}, ${cpus.length} cores`,
  };
}

/** Columns [start, end) of a [B, L] tensor. */
function columns(t: Tensor<'int64'>, start: number, end: number): Tensor<'int64'> {
  const [B, L] = t.shape;
  const data = new BigInt64Array(B * (end - start));
  for (let b = 0; b < B; b++) data.set(t.data.subarray(b * L + start, b * L + end), b * (end - start));
  return new Tensor('int64', [B, end - start], data);
}

/** Milliseconds `fn` takes, `count` times in a row. */
async function time(fn: () => Promise<unknown>, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

/** The two sessions of one sub-network and a run of each phase. */
interface Bench {
  prefill(): Promise<unknown>;
  /** Generates decodeTokens tokens from a cache of seqLen positions. */
  decode(): Promise<unknown>;
  dispose(): Promise<void>;
}

/** Compiles the prefill and decode graphs of an extracted sub-network and prepares their feeds. */
async function openBench(runtime: Runtime, sub: Checkpoint, settings: Required<LatencySettings>): Promise<Bench> {
  const { batch, seqLen, decodeTokens, seed } = settings;
  const ids = latencyTokens(sub.config.vocabSize, batch, seqLen + decodeTokens, seed);
  const prompt = columns(ids, 0, seqLen);
  const steps = Array.from({ length: decodeTokens }, (_, t) => ({ tokens: columns(ids, seqLen + t, seqLen + t + 1), past_length: Tensor.scalar('int64', seqLen + t) }));
  const cached = onnxGraph(sub, { kvCache: true });
  const presents = [...cached.present.keys()];
  // The cache's values do not change the time (no kernel branches on them), so it starts as zeros.
  const capacity = seqLen + decodeTokens;
  const past = Object.fromEntries([...cached.past].map(([name, v]) => [name, Tensor.zeros('float32', [batch, v.shape[1] as number, capacity, v.shape[3] as number])]));
  const sessions: CompiledGraph[] = [];
  try {
    sessions.push(await runtime.compile(onnxGraph(sub).graph));
    sessions.push(await runtime.compile(cached.graph));
  } catch (e) {
    for (const s of sessions) await s.dispose();
    throw e;
  }
  const [prefill, decode] = sessions;
  return {
    prefill: () => prefill.run({ tokens: prompt }),
    decode: async () => {
      let cache: Record<string, Tensor> = past;
      for (const step of steps) {
        const out = await decode.run({ ...cache, ...step });
        cache = Object.fromEntries(presents.map((name) => [name.replace(/^present/, 'past'), out[name]]));
      }
    },
    dispose: async () => {
      for (const s of sessions) await s.dispose();
    },
  };
}

/** Bytes an open sub-network holds: its float32 weights in JS and in each of its two sessions. */
const openBytes = (params: number) => 3 * 4 * params;
/** Sub-networks open at once hold at most this much; more are measured in turns. */
const OPEN_BYTES = 2 ** 31;

/** Indices of the sub-networks in turns, each turn as many consecutive ones as fit in OPEN_BYTES. */
function turns(params: readonly number[]): number[][] {
  const out: number[][] = [];
  let bytes = Infinity;
  params.forEach((p, i) => {
    if (bytes + openBytes(p) > OPEN_BYTES) {
      out.push([]);
      bytes = 0;
    }
    out[out.length - 1].push(i);
    bytes += openBytes(p);
  });
  return out;
}

/**
 * Latencies of several sub-networks of `model`, measured interleaved. Each sub-network is
 * extracted and its prefill and decode graphs (exactly what modelToOnnx writes, without
 * and with kvCache) compiled in sessions on `device` with `threads` intra-op threads. The timed runs
 * are then split into `rounds` passes, each visiting every sub-network once in a seeded
 * random order and making, per phase, `warmup` untimed runs and its share of `repeats`
 * timed ones: a slow stretch of the machine falls on all of them alike rather than on
 * whichever was being measured. The sessions stay open through the rounds, as many
 * sub-networks at a time as fit in 2 GiB (more are measured in turns, interleaved within
 * each turn). Prefill is one forward over [batch, seqLen] seeded random token ids; decode
 * generates `decodeTokens` tokens per sequence from a cache of seqLen positions, timed per
 * token.
 */
export async function measureLatencies(model: Checkpoint, subNetworks: readonly SubNetwork[], settings: LatencySettings = {}): Promise<LatencyReport[]> {
  const resolved = resolveLatencySettings(model, settings);
  const { rounds, repeats, warmup, decodeTokens } = resolved;
  const params = subNetworks.map((s) => countParams(model.config, s));
  const device = await resolveDevice(resolved.device);
  const runtime = new Runtime({ intraOpThreads: resolved.threads, interOpThreads: 1, allowSpinning: resolved.spinning, executionProviders: device.executionProviders });
  const rng = new Rng(resolved.seed);
  const times = subNetworks.map(() => ({ prefill: [] as number[], decode: [] as number[] }));
  try {
    for (const turn of turns(params)) {
      const benches = new Map<number, Bench>();
      try {
        for (const i of turn) benches.set(i, await openBench(runtime, extractSubNetwork(model, subNetworks[i]), resolved));
        for (let round = 0; round < rounds; round++) {
          // Rounds take the remainder first, so every sub-network gets exactly `repeats` runs.
          const count = Math.floor(repeats / rounds) + (round < repeats % rounds ? 1 : 0);
          for (const i of rng.shuffle([...turn])) {
            const bench = benches.get(i)!;
            await time(bench.prefill, warmup);
            times[i].prefill.push(...(await time(bench.prefill, count)));
            await time(bench.decode, warmup);
            times[i].decode.push(...(await time(bench.decode, count)).map((ms) => ms / decodeTokens));
          }
        }
      } finally {
        for (const bench of benches.values()) await bench.dispose();
      }
    }
  } finally {
    await runtime.dispose();
  }
  const info = deviceInfo(device);
  return subNetworks.map((_, i) => ({ prefill: latencyStats(times[i].prefill), decode: latencyStats(times[i].decode), settings: resolved, device: info, params: params[i] }));
}

/** Latency of sub-network `s` of `model`, both phases (see measureLatencies for how). */
export async function measureLatency(model: Checkpoint, s: SubNetwork, settings: LatencySettings = {}): Promise<LatencyReport> {
  return (await measureLatencies(model, [s], settings))[0];
}
