/**
 * @module validation
 * Held-out quality of sub-networks: mean next-token loss, and the KL divergence of a
 * sub-network's predictions from the full network's. One evaluator per model, adapters and
 * window settings serves every objective that asks (loss and perplexity are one pass), and
 * remembers results per sub-network, because a search may propose a member twice.
 */
import { Runtime, Tensor } from '@carve/engine';
import { Checkpoint, fullSubNetwork, LanguageModel, LoraConfig, SubNetwork } from '@carve/model';

export interface ValidationSettings {
  /** Tokens each window predicts. @default min(256, block size) */
  seqLen?: number;
  /** At most this many windows (from the start of the text). @default 32 */
  windows?: number;
  /** Windows per run. @default 8 */
  batch?: number;
}

/** Loss and KL of sub-networks on fixed held-out windows. */
export class ValidationEvaluator {
  private readonly losses = new Map<string, Promise<number>>();
  private readonly kls = new Map<string, Promise<number>>();
  private teacherLogProbs?: Promise<Float32Array[]>;
  /** Windows [n, seqLen + 1] of the held-out tokens. */
  private readonly windows: number[][];
  readonly seqLen: number;
  private readonly batch: number;

  constructor(
    private readonly model: Checkpoint,
    validation: readonly number[],
    private readonly lora: { config: LoraConfig; adapters: ReadonlyMap<string, Float32Array> } | undefined,
    private readonly runtime: Runtime,
    settings: ValidationSettings = {},
  ) {
    this.seqLen = settings.seqLen ?? Math.min(256, model.config.blockSize);
    this.batch = settings.batch ?? 8;
    if (this.seqLen > model.config.blockSize) throw new Error(`validation window of ${this.seqLen} tokens exceeds the model's block size ${model.config.blockSize}`);
    const available = Math.floor((validation.length - 1) / this.seqLen);
    const count = Math.min(available, settings.windows ?? 32);
    if (count < 1) throw new Error(`the validation text has ${validation.length} tokens: too few for one window of ${this.seqLen} + 1`);
    this.windows = Array.from({ length: count }, (_, w) => validation.slice(w * this.seqLen, (w + 1) * this.seqLen + 1) as number[]);
  }

  /** Tokens each evaluation predicts. */
  get tokens(): number {
    return this.windows.length * this.seqLen;
  }

  /** Mean cross-entropy (nats per token) of `s` over the windows. */
  loss(s: SubNetwork): Promise<number> {
    return remember(this.losses, s, async () => {
      const lm = await this.languageModel(s);
      try {
        let sum = 0;
        let counted = 0;
        for (const [inputs, targets] of this.batches()) {
          const r = await lm.targetLoss(inputs, targets);
          sum += r.sum;
          counted += r.tokens;
        }
        return sum / counted;
      } finally {
        await lm.dispose();
      }
    });
  }

  /**
   * Mean KL(full ‖ s) per token, in nats: how far the sub-network's next-token distributions
   * are from the full network's (with the same adapters) on the same windows.
   */
  kl(s: SubNetwork): Promise<number> {
    return remember(this.kls, s, async () => {
      this.teacherLogProbs ??= this.logProbs(fullSubNetwork(this.model.config));
      const teacher = await this.teacherLogProbs;
      const student = await this.logProbs(s);
      const V = this.model.config.vocabSize;
      let total = 0;
      for (let b = 0; b < teacher.length; b++) {
        const [p, q] = [teacher[b], student[b]];
        for (let row = 0; row < p.length; row += V) {
          for (let v = row; v < row + V; v++) total += Math.exp(p[v]) * (p[v] - q[v]);
        }
      }
      return total / this.tokens;
    });
  }

  private async languageModel(s: SubNetwork): Promise<LanguageModel> {
    return LanguageModel.create(this.model, { subNetwork: s, lora: this.lora, runtime: this.runtime });
  }

  /** Log-softmax of the logits of every batch, row by row. */
  private async logProbs(s: SubNetwork): Promise<Float32Array[]> {
    const lm = await this.languageModel(s);
    try {
      const out: Float32Array[] = [];
      for (const [inputs] of this.batches()) out.push(logSoftmaxRows((await lm.logits(inputs)).data as Float32Array, this.model.config.vocabSize));
      return out;
    } finally {
      await lm.dispose();
    }
  }

  private *batches(): Generator<[Tensor<'int64'>, Tensor<'int64'>]> {
    const T = this.seqLen;
    for (let w0 = 0; w0 < this.windows.length; w0 += this.batch) {
      const rows = this.windows.slice(w0, w0 + this.batch);
      yield [Tensor.from('int64', [rows.length, T], rows.flatMap((r) => r.slice(0, T))), Tensor.from('int64', [rows.length, T], rows.flatMap((r) => r.slice(1)))];
    }
  }
}

function remember(cache: Map<string, Promise<number>>, s: SubNetwork, compute: () => Promise<number>): Promise<number> {
  const key = JSON.stringify(s);
  let result = cache.get(key);
  if (!result) {
    result = compute();
    cache.set(key, result);
  }
  return result;
}

/** log softmax of each row of length V, computed in float64 and stored in float32. */
function logSoftmaxRows(logits: Float32Array, V: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length; row += V) {
    let max = -Infinity;
    for (let v = row; v < row + V; v++) max = Math.max(max, logits[v]);
    let sum = 0;
    for (let v = row; v < row + V; v++) sum += Math.exp(logits[v] - max);
    const logZ = max + Math.log(sum);
    for (let v = row; v < row + V; v++) out[v] = logits[v] - logZ;
  }
  return out;
}
