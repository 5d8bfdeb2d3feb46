/**
 * @module language-model
 * A model (or one of its sub-networks) ready to run: compiled graphs and its weights as
 * feeds, with logits, loss over token windows, and generation.
 */
import { CompiledGraph, evaluateDim, F, Rng, Runtime, Tensor, Value } from '@carve/engine';
import { Checkpoint } from './checkpoint/checkpoint';
import { ModelConfig } from './config';
import { weightFeeds } from './init';
import { LoraConfig } from './lora';
import { buildCheckpointGraph } from './model-graph';
import { sampleToken, SamplingOptions } from './sampling';
import { SubNetwork } from './subnetwork';

export interface LanguageModelOptions {
  /** Sessions come from (and stay in) this runtime. @default a new single-threaded one */
  runtime?: Runtime;
  subNetwork?: SubNetwork;
  lora?: { config: LoraConfig; adapters: ReadonlyMap<string, Float32Array> };
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Seed of the sampler (ignored when greedy). @default 0 */
  seed?: number;
  /** Stop after this token (usually EOS); it is included in the output. */
  stopToken?: number;
  /** Called with each new token as it is chosen. */
  onToken?: (id: number) => void;
}

export interface LossResult {
  /** Mean cross-entropy per predicted token, in nats. */
  loss: number;
  perplexity: number;
  /** Tokens predicted. */
  tokens: number;
}

/** A key/value cache between calls of the cached graph: the buffers to feed as the past and how many rows hold tokens. */
interface DecodeState {
  past: Record<string, Tensor>;
  length: number;
}

export class LanguageModel {
  /** Loss graphs by window length and ignore index. */
  private readonly lossSessions = new Map<string, Promise<CompiledGraph>>();
  /** The graph of each target's log-probability, compiled on first use. */
  private targetLogProbSession?: Promise<CompiledGraph>;
  /** The key/value-cached logits graph and its cache inputs, compiled on the first generation. */
  private decoder?: { session: Promise<CompiledGraph>; past: ReadonlyMap<string, Value> };

  private constructor(
    readonly model: Checkpoint,
    /** The config of what runs: the sub-network's, if one was chosen. */
    readonly config: ModelConfig,
    private readonly runtime: Runtime,
    private readonly ownsRuntime: boolean,
    private readonly logitsSession: CompiledGraph,
    private readonly feeds: Record<string, Tensor>,
    private readonly options: LanguageModelOptions,
  ) {}

  /** Compiles the logits graph of `model` (or of its sub-network). */
  static async create(model: Checkpoint, options: LanguageModelOptions = {}): Promise<LanguageModel> {
    const runtime = options.runtime ?? new Runtime();
    const m = buildCheckpointGraph(model, { subNetwork: options.subNetwork, lora: options.lora?.config });
    m.graph.output({ logits: m.logits });
    const feeds = weightFeeds(m, model.weights, options.lora?.adapters);
    const session = await runtime.compile(m.graph);
    return new LanguageModel(model, m.config, runtime, !options.runtime, session, feeds, options);
  }

  /** Logits [B·T, V] for token windows [B, T] (T at most the block size). */
  async logits(tokens: Tensor<'int64'>): Promise<Tensor> {
    this.checkWindow(tokens);
    return (await this.logitsSession.run({ ...this.feeds, tokens })).logits;
  }

  /**
   * Mean next-token cross-entropy over `ids`, cut into non-overlapping windows of `seqLen`
   * predictions (each window reads seqLen tokens and predicts the next seqLen), `batch`
   * windows per run. A final partial window is dropped.
   */
  async loss(ids: readonly number[], seqLen: number, batch = 8): Promise<LossResult> {
    if (!Number.isInteger(seqLen) || seqLen < 1 || seqLen > this.config.blockSize) {
      throw new Error(`sequence length must be an integer in [1, ${this.config.blockSize}] (the model's block size), got ${seqLen}`);
    }
    const windows = Math.floor((ids.length - 1) / seqLen);
    if (windows < 1) throw new Error(`the text has ${ids.length} tokens: too few for one window of ${seqLen} + 1`);
    let total = 0;
    for (let w0 = 0; w0 < windows; w0 += batch) {
      const n = Math.min(batch, windows - w0);
      const x = new BigInt64Array(n * seqLen);
      const y = new BigInt64Array(n * seqLen);
      for (let b = 0; b < n; b++) {
        const start = (w0 + b) * seqLen;
        for (let t = 0; t < seqLen; t++) {
          x[b * seqLen + t] = BigInt(ids[start + t]);
          y[b * seqLen + t] = BigInt(ids[start + t + 1]);
        }
      }
      total += (await this.targetLoss(new Tensor('int64', [n, seqLen], x), new Tensor('int64', [n, seqLen], y))).sum;
    }
    const tokens = windows * seqLen;
    return { loss: total / tokens, perplexity: Math.exp(total / tokens), tokens };
  }

  /**
   * Next-token cross-entropy of `tokens` [B, T] against `targets` [B, T]: the sum over the
   * targets that are not `ignoreIndex` (prompt tokens, say) and how many there were. Sums
   * add up across batches, so a mean over any batching is `Σ sum / Σ tokens`.
   */
  async targetLoss(tokens: Tensor<'int64'>, targets: Tensor<'int64'>, ignoreIndex = -100): Promise<{ sum: number; tokens: number }> {
    this.checkWindow(tokens);
    const seqLen = tokens.shape[1];
    let counted = 0;
    for (const t of targets.data) if (t !== BigInt(ignoreIndex)) counted++;
    if (counted === 0) return { sum: 0, tokens: 0 };
    // One graph per window length (a static length lets attention run in blocks) and ignore index.
    const key = `${seqLen}:${ignoreIndex}`;
    let compiled = this.lossSessions.get(key);
    if (!compiled) {
      const m = buildCheckpointGraph(this.model, { subNetwork: this.options.subNetwork, lora: this.options.lora?.config, loss: true, seq: seqLen, ignoreIndex });
      m.graph.output({ loss: m.loss! });
      compiled = this.runtime.compile(m.graph);
      this.lossSessions.set(key, compiled);
    }
    const out = await (await compiled).run({ ...this.feeds, tokens, targets });
    // The graph's loss is the mean over the counted targets.
    return { sum: Number(out.loss.data[0]) * counted, tokens: counted };
  }

  /**
   * The log-probability (nats, from the float32 log-softmax) of each `targets` [B, T] token
   * after `tokens` [B, T] up to its position, and whether it is the most likely token there
   * (greedy decoding would pick it; a tie counts as picked). One graph run scores a whole
   * batch, for downstream tasks that sum log-probabilities over continuations; the caller
   * reads the positions it needs and ignores padding, which any valid id can fill.
   */
  async targetLogProbs(tokens: Tensor<'int64'>, targets: Tensor<'int64'>): Promise<{ logProbs: Float32Array; greedy: Uint8Array }> {
    this.checkWindow(tokens);
    if (targets.shape.join() !== tokens.shape.join()) throw new Error(`targets must have the shape of tokens [${tokens.shape.join(', ')}], got [${targets.shape.join(', ')}]`);
    this.checkWindow(targets);
    this.targetLogProbSession ??= (() => {
      const m = buildCheckpointGraph(this.model, { subNetwork: this.options.subNetwork, lora: this.options.lora?.config });
      const logProbs = F.logSoftmax(m.logits, 1); // [N, V]
      const rows = F.reshape(m.graph.input('targets', 'int64', ['B', 'T']), [m.logits.shape[0], 1]);
      m.graph.output({ target: F.gatherElements(logProbs, rows, 1), best: F.reduceMax(logProbs, [1], true) });
      return this.runtime.compile(m.graph);
    })();
    const out = await (await this.targetLogProbSession).run({ ...this.feeds, tokens, targets });
    const logProbs = Float32Array.from(out.target.data as Float32Array);
    const best = out.best.data as Float32Array;
    return { logProbs, greedy: Uint8Array.from(logProbs, (lp, i) => (lp >= best[i] ? 1 : 0)) };
  }

  /**
   * Continues `prompt` by up to `maxNewTokens` tokens, greedily or by sampling. The context
   * is cropped to the last block-size tokens, as nanoGPT does. While the context fits the
   * block, a key/value cache makes each step compute only the newest token: the prompt
   * is prefilled once, then every token is fed with the cache of those before it. Once
   * the context is cropped, positions shift and cached keys no longer apply, so each step
   * recomputes the window.
   */
  async generate(prompt: readonly number[], options: GenerateOptions): Promise<number[]> {
    if (prompt.length === 0) throw new Error('generation needs a prompt of at least one token (usually BOS)');
    const rng = new Rng(options.seed ?? 0);
    const ids = [...prompt];
    const V = this.config.vocabSize;
    // The cache holds every token fed while the context fits: the prompt and each new token but the last.
    const capacity = Math.min(this.config.blockSize, prompt.length + options.maxNewTokens - 1);
    let state: DecodeState | undefined;
    for (let i = 0; i < options.maxNewTokens; i++) {
      let last: Float32Array;
      if (ids.length <= capacity) {
        state ??= this.emptyCache(capacity);
        last = await this.extend(state, ids.slice(state.length));
      } else {
        const context = ids.slice(-this.config.blockSize);
        const logits = (await this.logits(Tensor.from('int64', [1, context.length], context))).data as Float32Array;
        last = logits.subarray((context.length - 1) * V, context.length * V);
      }
      const next = sampleToken(last, rng, options);
      ids.push(next);
      options.onToken?.(next);
      if (next === options.stopToken) break;
    }
    return ids.slice(prompt.length);
  }

  /** Releases the sessions (and the runtime, if this model made it). */
  async dispose(): Promise<void> {
    await this.logitsSession.dispose();
    if (this.decoder) await (await this.decoder.session).dispose();
    if (this.targetLogProbSession) await (await this.targetLogProbSession).dispose();
    for (const compiled of this.lossSessions.values()) await (await compiled).dispose();
    if (this.ownsRuntime) await this.runtime.dispose();
  }

  private cachedGraph(): { session: Promise<CompiledGraph>; past: ReadonlyMap<string, Value> } {
    if (!this.decoder) {
      const m = buildCheckpointGraph(this.model, { subNetwork: this.options.subNetwork, lora: this.options.lora?.config, kvCache: true });
      m.graph.output({ logits: m.logits, ...Object.fromEntries(m.present) });
      this.decoder = { session: this.runtime.compile(m.graph), past: m.past };
    }
    return this.decoder;
  }

  /** A cache of `capacity` zero rows per layer for one sequence. */
  private emptyCache(capacity: number): DecodeState {
    const past: Record<string, Tensor> = {};
    for (const [name, input] of this.cachedGraph().past) {
      const shape = input.shape.map((d) => evaluateDim(d, { B: 1, S: capacity }));
      past[name] = new Tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
    }
    return { past, length: 0 };
  }

  /** Feeds `tokens` after the cached ones and advances the cache; returns the last token's logits [V]. */
  private async extend(state: DecodeState, tokens: number[]): Promise<Float32Array> {
    const input = Tensor.from('int64', [1, tokens.length], tokens);
    this.checkWindow(input);
    const out = await (await this.cachedGraph().session).run({ ...this.feeds, ...state.past, tokens: input, past_length: Tensor.scalar('int64', BigInt(state.length)) });
    for (const name of Object.keys(state.past)) state.past[name] = out[name.replace(/^past\./, 'present.')];
    state.length += tokens.length;
    const V = this.config.vocabSize;
    return (out.logits.data as Float32Array).subarray((tokens.length - 1) * V);
  }

  private checkWindow(tokens: Tensor): void {
    const [, T] = tokens.shape;
    if (tokens.shape.length !== 2 || T < 1 || T > this.config.blockSize) {
      throw new Error(`tokens must be [B, T] with 1 <= T <= ${this.config.blockSize}, got [${tokens.shape.join(', ')}]`);
    }
    const V = this.config.vocabSize;
    const data = tokens.data as BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      if (data[i] < 0n || data[i] >= BigInt(V)) throw new Error(`token id ${data[i]} at position ${i} is outside the vocabulary [0, ${V})`);
    }
  }
}
