/**
 * @module runtime
 * Runs graphs in onnxruntime-node. A Runtime owns the session settings (threads,
 * execution provider) and caches one session per distinct graph; a CompiledGraph runs
 * with typed arrays as inputs (wrapped, not copied) and returns Tensors.
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { DType } from './dtype';
import { Graph } from './graph';
import { serializeModel } from './onnx/serialize';
import { Tensor } from './tensor';

export interface RuntimeOptions {
  /** Threads inside one operator (ONNX Runtime's intra-op pool). Pin it when timing. @default 1 */
  intraOpThreads?: number;
  /** Threads across independent operators. @default 1 */
  interOpThreads?: number;
  /**
   * Execution providers in order of preference, e.g. ['cuda', 'cpu']: a device's list comes from
   * resolveDevice, which checks that CUDA really runs before naming it. @default ['cpu']
   */
  executionProviders?: string[];
  /**
   * Let intra-op worker threads spin between runs. Spinning shortens back-to-back runs of
   * one session, but when sessions alternate (a training step, then an evaluation; several
   * sub-networks per step) each one's spinning workers slow the other's.
   * @default false
   */
  allowSpinning?: boolean;
  /** Graph optimization level. @default 'all' */
  optimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * ONNX Runtime's CPU memory arena and memory patterns. An arena keeps the largest
   * memory its session ever used for the session's life, so sessions that alternate (the
   * sandwich's four sub-networks) hold the sum of their peaks; without it each run's
   * buffers go back when the run ends, and the process peaks at the largest run's.
   * @default true
   */
  memoryArena?: boolean;
  /**
   * Let ONNX Runtime plan each run's buffers from the shapes of the first run with the same
   * input shapes and allocate them as one block (its memory patterns). @default memoryArena
   */
  memoryPattern?: boolean;
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = { float32: 'float32', float64: 'float64', float16: 'float16', int64: 'int64', int32: 'int32', bool: 'bool' };

/** A graph loaded into an ONNX Runtime session. */
export class CompiledGraph {
  private disposed = false;

  constructor(
    readonly graph: Graph,
    private readonly session: ort.InferenceSession,
    private readonly onDispose: () => void,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Runs the graph. `feeds` maps every graph input's name to a tensor; returns every graph
   * output by name. Missing or unexpected feeds and wrong element types are reported before running.
   */
  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    if (this.disposed) throw new Error(`graph '${this.graph.name}' was disposed`);
    const problems: string[] = [];
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const input of this.graph.inputs) {
      const t = feeds[input.name];
      if (!t) problems.push(`missing input '${input.name}' (${input.dtype} [${input.shape.join(', ')}])`);
      else if (t.dtype !== input.dtype) problems.push(`input '${input.name}' must be ${input.dtype}, got ${t.dtype}`);
      else if (t.shape.length !== input.shape.length || input.shape.some((d, i) => typeof d === 'number' && d !== t.shape[i])) {
        problems.push(`input '${input.name}' must have shape [${input.shape.join(', ')}], got [${t.shape.join(', ')}]`);
      } else ortFeeds[input.name] = new ort.Tensor(ORT_TYPE[t.dtype], t.data as never, t.shape as number[]);
    }
    const known = new Set(this.graph.inputs.map((v) => v.name));
    for (const name of Object.keys(feeds)) if (!known.has(name)) problems.push(`unexpected input '${name}'`);
    if (problems.length) throw new Error(`graph '${this.graph.name}': ${problems.join('; ')}`);
    const results = await this.session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(results)) {
      out[name] = new Tensor(t.type as DType, t.dims.map(Number), t.data as never);
    }
    return out;
  }

  /** Releases the native session. The graph may be compiled again later. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    await this.session.release();
  }
}

export class Runtime {
  private readonly cache = new Map<string, Promise<CompiledGraph>>();
  readonly options: Required<RuntimeOptions>;

  constructor(options: RuntimeOptions = {}) {
    this.options = {
      intraOpThreads: options.intraOpThreads ?? 1,
      interOpThreads: options.interOpThreads ?? 1,
      executionProviders: options.executionProviders ?? ['cpu'],
      optimizationLevel: options.optimizationLevel ?? 'all',
      allowSpinning: options.allowSpinning ?? false,
      memoryArena: options.memoryArena ?? true,
      memoryPattern: options.memoryPattern ?? options.memoryArena ?? true,
    };
  }

  /**
   * The session for `graph`, created on first use and cached by the graph's serialized
   * content, so structurally identical graphs share one session.
   */
  compile(graph: Graph): Promise<CompiledGraph> {
    const bytes = serializeModel(graph);
    const key = createHash('sha256').update(bytes).digest('hex');
    let entry = this.cache.get(key);
    if (!entry) {
      entry = ort.InferenceSession.create(bytes, this.sessionOptions()).then(
        (session) => new CompiledGraph(graph, session, () => this.cache.delete(key)),
      );
      entry.catch(() => this.cache.delete(key));
      this.cache.set(key, entry);
    }
    return entry;
  }

  /** Number of cached sessions. */
  get size(): number {
    return this.cache.size;
  }

  /** Releases every cached session. */
  async dispose(): Promise<void> {
    const entries = [...this.cache.values()];
    this.cache.clear();
    for (const e of entries) await (await e).dispose().catch(() => undefined);
  }

  private sessionOptions(): ort.InferenceSession.SessionOptions {
    return {
      executionProviders: this.options.executionProviders,
      intraOpNumThreads: this.options.intraOpThreads,
      interOpNumThreads: this.options.interOpThreads,
      graphOptimizationLevel: this.options.optimizationLevel,
      enableCpuMemArena: this.options.memoryArena,
      enableMemPattern: this.options.memoryPattern,
      executionMode: this.options.interOpThreads > 1 ? 'parallel' : 'sequential',
      // Warnings such as "removing unused initializer" are expected for pruned graphs.
      logSeverityLevel: 3,
      // Denormals made a masked training step 3.6x slower (ENGINE-NOTES.md); flush them.
      extra: {
        session: {
          set_denormal_as_zero: '1',
          intra_op: { allow_spinning: this.options.allowSpinning ? '1' : '0' },
          inter_op: { allow_spinning: this.options.allowSpinning ? '1' : '0' },
        },
      },
    };
  }
}
