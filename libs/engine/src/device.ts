/**
 * @module device
 * Which ONNX Runtime execution provider runs the graphs: the CPU, CUDA, or `auto` (CUDA where
 * this process's onnxruntime-node can run a graph on a GPU, the CPU otherwise). Whether CUDA
 * works is found out once per process by running a one-node graph with CUDA as the only
 * provider: onnxruntime-node lists 'cuda' among its backends even where its provider library
 * was never installed, so the list proves nothing, and a run on CUDA is the only proof that
 * a session given ['cuda', 'cpu'] will not end up on the CPU alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { UserError } from '@carve/errors';
import * as ort from 'onnxruntime-node';
import { mul } from './builder';
import { Graph } from './graph';
import { Runtime } from './runtime';
import { Tensor } from './tensor';

/** Every Device, for option parsers (`z.enum(DEVICES)`) and messages. */
export const DEVICES = ['auto', 'cpu', 'cuda'] as const;

/** Where the numerical work runs, as a user asks for it. */
export type Device = (typeof DEVICES)[number];

/** A device as this process runs it. */
export interface ResolvedDevice {
  /** What was asked for. */
  requested: Device;
  /** The execution provider that runs the graphs. */
  provider: 'cuda' | 'cpu';
  /** What a Runtime is given (RuntimeOptions.executionProviders): ['cuda', 'cpu'] (the CPU takes only the nodes CUDA has no kernel for) or ['cpu']. */
  executionProviders: string[];
  /** The hardware, for records: 'CPU: <model>, <n> cores' or 'CUDA device 0 (...)'. */
  description: string;
}

/** What the CUDA probe found: the device, or why CUDA cannot run here and what to do about it. */
export type CudaProbe = { available: true; description: string } | { available: false; reason: string; advice: string };

/** The folder of onnxruntime-node's package, where its native binding and provider libraries live. */
function onnxruntimeFolder(): string {
  return nodePath.dirname(require.resolve('onnxruntime-node/package.json'));
}

/** The CPU as records name it. */
function cpuDescription(): string {
  const cpus = os.cpus();
  return `CPU: ${cpus[0]?.model.trim() || 'unknown'}, ${cpus.length} cores`;
}

/** CUDA's device 0, with the GPU models the NVIDIA driver lists (it numbers them its own way, so they are named, not matched). */
function cudaDescription(): string {
  const dir = '/proc/driver/nvidia/gpus';
  let models: string[] = [];
  try {
    models = fs.readdirSync(dir).flatMap((gpu) => /^Model:\s*(.+)$/m.exec(fs.readFileSync(nodePath.join(dir, gpu, 'information'), 'utf8'))?.[1].trim() ?? []);
  } catch {
    // Not Linux, or a driver without /proc entries: the GPU goes unnamed.
  }
  return models.length ? `CUDA device 0 (GPUs of this host: ${[...new Set(models)].join(', ')})` : 'CUDA device 0';
}

async function runCudaProbe(): Promise<CudaProbe> {
  const where = `${process.platform}/${process.arch}`;
  const backend = ort.listSupportedBackends().find((b) => b.name === 'cuda');
  if (!backend) return { available: false, reason: `onnxruntime-node for ${where} has no CUDA execution provider`, advice: 'run on a Linux or Windows x64 host with an NVIDIA GPU, or use device cpu' };
  const folder = onnxruntimeFolder();
  const binaries = nodePath.join(folder, 'bin', 'napi-v6', process.platform, process.arch);
  const library = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  // Checked before any session: a session asking for a missing library makes ONNX Runtime log an error line to stderr.
  if (!backend.bundled && !fs.existsSync(nodePath.join(binaries, library))) {
    return {
      available: false,
      reason: `onnxruntime-node's CUDA execution provider is not installed (no ${library} in ${binaries})`,
      // The package's install script takes ONNXRUNTIME_NODE_INSTALL before npm's settings, so the repository's .npmrc 'skip' does not stop it.
      advice: `on a host with an NVIDIA GPU, CUDA 12 and cuDNN 9, install it with \`ONNXRUNTIME_NODE_INSTALL=cuda12 node ${nodePath.join(folder, 'script', 'install.js')}\` (it downloads from nuget.org), or use device cpu`,
    };
  }
  const graph = new Graph('cuda_probe');
  graph.output({ y: mul(graph.input('x', 'float32', [1]), 2) });
  // CUDA alone: with 'cpu' after it, a graph could run without CUDA taking any of it.
  const runtime = new Runtime({ executionProviders: ['cuda'] });
  try {
    const out = await (await runtime.compile(graph)).run({ x: Tensor.from('float32', [1], [1.5]) });
    if (out.y.toNumbers()[0] !== 3) return { available: false, reason: `a test graph on CUDA computed 1.5 × 2 = ${out.y.toNumbers()[0]}`, advice: 'check the GPU and its driver, or use device cpu' };
    return { available: true, description: cudaDescription() };
  } catch (e) {
    return {
      available: false,
      reason: `a test graph could not run on CUDA (${((e as Error).message ?? String(e)).split('\n')[0]})`,
      advice: 'check that this host has an NVIDIA GPU with its driver, CUDA 12 and cuDNN 9 where onnxruntime-node can load them, or use device cpu',
    };
  } finally {
    await runtime.dispose();
  }
}

let cudaProbe: Promise<CudaProbe> | undefined;

/**
 * Whether onnxruntime-node can run graphs on CUDA in this process, found out on the first
 * call (a one-node graph run with CUDA as the only execution provider) and the same promise
 * for every later call.
 */
export function probeCuda(): Promise<CudaProbe> {
  cudaProbe ??= runCudaProbe();
  return cudaProbe;
}

/**
 * The execution providers for `device`: 'cpu' as it is (nothing probed), 'cuda' when the
 * probe finds it working, 'auto' CUDA when it works and the CPU otherwise. 'cuda' where it
 * does not work is a UserError 'device_unavailable' whose one line says why and what to do.
 */
export async function resolveDevice(device: Device): Promise<ResolvedDevice> {
  if (!(DEVICES as readonly string[]).includes(device)) throw new UserError(`device '${String(device)}': unknown (known: ${DEVICES.join(', ')})`, 'invalid_device');
  const cpu: ResolvedDevice = { requested: device, provider: 'cpu', executionProviders: ['cpu'], description: cpuDescription() };
  if (device === 'cpu') return cpu;
  const cuda = await probeCuda();
  if (cuda.available) return { requested: device, provider: 'cuda', executionProviders: ['cuda', 'cpu'], description: cuda.description };
  if (device === 'auto') return cpu;
  throw new UserError(`device cuda is not available: ${cuda.reason}; ${cuda.advice}`, 'device_unavailable');
}
