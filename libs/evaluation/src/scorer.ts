/**
 * @module scorer
 * Log-likelihood requests, lm-eval's `loglikelihood`: how likely a continuation is after a
 * context, and whether greedy decoding would produce it. The model scorer tokenizes each
 * pair as lm-eval's Hugging Face backend does and scores many rows per graph run.
 */
import { Tensor } from '@carve/engine';
import { LanguageModel, Tokenizer } from '@carve/model';

export interface LogLikelihoodRequest {
  readonly context: string;
  readonly continuation: string;
}

export interface LogLikelihood {
  /** Σ log p(token) over the continuation's tokens, in nats. */
  logLikelihood: number;
  /** Every continuation token is the most likely one at its position. */
  greedy: boolean;
  /** The continuation's tokens. */
  tokens: number;
}

/** What scores requests: the model scorer, or a stand-in in tests. */
export interface Scorer {
  score(requests: readonly LogLikelihoodRequest[], onProgress?: (done: number, total: number) => void): Promise<LogLikelihood[]>;
  /** The settings that change the numbers (tokenizer, BOS, maximum length), recorded with results. */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

export interface ModelScorerOptions {
  /**
   * Start every context with BOS. lm-eval's Hugging Face backend adds no special tokens
   * unless `add_bos_token=True`; models trained on documents that open with BOS (llama2.c's)
   * score far better with it. @default true when the tokenizer has a BOS token
   */
  bos?: boolean;
  /** Rows per graph run. @default 16 */
  batchSize?: number;
  /** Names the tokenizer in the recorded settings (its file, say). */
  tokenizerName?: string;
}

/** Scores requests with a language model (any sub-network of one) and its tokenizer. */
export class ModelScorer implements Scorer {
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  private readonly bos: boolean;
  private readonly batchSize: number;

  constructor(
    private readonly lm: LanguageModel,
    private readonly tokenizer: Tokenizer,
    options: ModelScorerOptions = {},
  ) {
    this.bos = options.bos ?? tokenizer.bosId !== undefined;
    if (this.bos && tokenizer.bosId === undefined) throw new Error('the tokenizer has no BOS token to start contexts with');
    this.batchSize = options.batchSize ?? 16;
    this.settings = { tokenizer: options.tokenizerName ?? 'given', bos: this.bos, maxLength: lm.config.blockSize, batchSize: this.batchSize };
  }

  async score(requests: readonly LogLikelihoodRequest[], onProgress?: (done: number, total: number) => void): Promise<LogLikelihood[]> {
    // Identical requests (a shared context and choice across few-shot draws, say) are scored once.
    const unique = new Map<string, number>();
    const rows: { input: number[]; continuation: number[] }[] = [];
    const slots = requests.map((r) => {
      const key = `${r.context}\u0000${r.continuation}`;
      let slot = unique.get(key);
      if (slot === undefined) {
        slot = rows.length;
        unique.set(key, slot);
        rows.push(this.encodePair(r));
      }
      return slot;
    });
    const results: LogLikelihood[] = new Array(rows.length);
    // Longest first, as lm-eval orders them: rows of a batch have similar lengths, so little is padding.
    const order = rows.map((_, i) => i).sort((a, b) => rows[b].input.length - rows[a].input.length || a - b);
    for (let b0 = 0; b0 < order.length; b0 += this.batchSize) {
      const batch = order.slice(b0, b0 + this.batchSize);
      const T = rows[batch[0]].input.length - 1;
      const tokens = new BigInt64Array(batch.length * T);
      const targets = new BigInt64Array(batch.length * T);
      batch.forEach((r, b) => {
        const ids = rows[r].input;
        for (let t = 0; t < ids.length - 1; t++) {
          tokens[b * T + t] = BigInt(ids[t]);
          targets[b * T + t] = BigInt(ids[t + 1]);
        }
      });
      const { logProbs, greedy } = await this.lm.targetLogProbs(new Tensor('int64', [batch.length, T], tokens), new Tensor('int64', [batch.length, T], targets));
      batch.forEach((r, b) => {
        const n = rows[r].continuation.length;
        const end = b * T + rows[r].input.length - 1;
        let sum = 0;
        let allGreedy = true;
        for (let i = end - n; i < end; i++) {
          sum += logProbs[i];
          allGreedy &&= greedy[i] === 1;
        }
        results[r] = { logLikelihood: sum, greedy: allGreedy, tokens: n };
      });
      onProgress?.(Math.min(b0 + this.batchSize, order.length), order.length);
    }
    return slots.map((s) => results[s]);
  }

  /**
   * The ids to run (context then continuation, cut from the left to the block size plus the
   * one token that is only a target) and the continuation's ids, as lm-eval's `_encode_pair`
   * makes them: trailing spaces of the context move to the continuation, the pair is
   * tokenized whole, and the continuation is what follows the context's own tokens, so
   * tokens merged across the boundary count as the continuation's.
   */
  private encodePair(r: LogLikelihoodRequest): { input: number[]; continuation: number[] } {
    const spaces = r.context.length - r.context.trimEnd().length;
    const context = r.context.slice(0, r.context.length - spaces);
    const continuationText = r.context.slice(context.length) + r.continuation;
    let contextIds: number[];
    let continuation: number[];
    if (context === '') {
      // Nothing to condition on: lm-eval starts from the end-of-text (here BOS) token.
      const start = this.tokenizer.bosId ?? this.tokenizer.eosId;
      if (start === undefined) throw new Error('an empty context needs a BOS or EOS token to start from');
      contextIds = [start];
      continuation = this.tokenizer.encode(continuationText, { bos: false, eos: false });
    } else {
      const whole = this.tokenizer.encode(context + continuationText, { bos: this.bos, eos: false });
      contextIds = this.tokenizer.encode(context, { bos: this.bos, eos: false });
      continuation = whole.slice(contextIds.length);
      contextIds = whole.slice(0, contextIds.length);
    }
    if (!continuation.length) throw new Error(`the continuation ${JSON.stringify(r.continuation)} has no tokens of its own after the context`);
    const maxLength = this.lm.config.blockSize;
    const input = [...contextIds, ...continuation].slice(-(maxLength + 1));
    return { input, continuation: continuation.slice(-maxLength) };
  }
}
