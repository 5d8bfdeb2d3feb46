/**
 * @module checkpoint/hf-family
 * What each Hugging Face family contributes to loading and saving: the `model_type`s it
 * reads, its config.json keys both ways, what its architecture hard-codes, and one
 * explicit map from its tensor names to ours. Everything generic (tensor layouts,
 * validation, files) lives in hf-tensors.ts and hf.ts.
 */
import { preview } from '@carve/errors';
import { Family, ModelConfig, ModelConfigInput } from '../config';

/**
 * How a Hugging Face tensor holds ours:
 * - 'copy': the same array (embeddings, norms, biases, GPT-2's Conv1D weights, already [in, out]);
 * - 'linear': an nn.Linear weight, [out, in], the transpose of ours;
 * - 'qkv-columns': q | k | v concatenated along the last (output) axis (GPT-2's Conv1D `c_attn`);
 * - 'qkv-heads': an nn.Linear [out, in] whose output rows go per key/value head:
 *   [head 0: q k v, head 1: q k v, ...], each of head size (GPT-NeoX's `query_key_value`).
 */
export type TensorLayout = 'copy' | 'linear' | 'qkv-columns' | 'qkv-heads';

/**
 * Hugging Face name pattern → [our name pattern, layout], or null for a tensor to drop
 * (buffers such as causal masks and RoPE frequencies). `{l}` is the layer index; in our
 * name, `{qkv}` stands for the q, k and v a fused tensor splits into.
 */
export type NameMap = Readonly<Record<string, readonly [string, TensorLayout] | null>>;

export interface HfFamily {
  family: Family;
  /** config.json `model_type`s read as this family. */
  modelTypes: readonly string[];
  names: NameMap;
  /**
   * A prefix of the map's names that some checkpoints leave out (GPT-2's `transformer.`:
   * the original gpt2 weights were saved from GPT2Model). Accepted either way on load.
   */
  optionalPrefix?: string;
  /** Values the architecture hard-codes: a config that differs cannot be saved as this family. */
  fixed: Partial<ModelConfig>;
  /** config.json to our config (without the name); problems go to `r.issues`. */
  readConfig(r: HfConfigReader, modelType: string): Omit<ModelConfigInput, 'name'>;
  /** Our config to config.json; problems go to `issues`. */
  writeConfig(c: ModelConfig, issues: string[]): Record<string, unknown>;
}

/**
 * Typed access to config.json that collects every problem, each naming its key, so one
 * error lists them all. A key that is absent or null takes the fallback Hugging Face's
 * config class would use; a key without a fallback is required.
 */
export class HfConfigReader {
  readonly issues: string[] = [];

  constructor(private readonly json: Readonly<Record<string, unknown>>) {}

  /** Whether `key` is present and not null. */
  has(key: string): boolean {
    return this.json[key] !== undefined && this.json[key] !== null;
  }

  /** A positive integer; `keys` lists aliases, the first present one wins. */
  int(keys: string | readonly string[], fallback?: number): number {
    return this.read(keys, fallback, 'a positive integer', (v) => typeof v === 'number' && Number.isInteger(v) && v > 0) as number;
  }

  /** A finite number. */
  number(keys: string | readonly string[], fallback?: number): number {
    return this.read(keys, fallback, 'a number', (v) => typeof v === 'number' && Number.isFinite(v)) as number;
  }

  bool(keys: string | readonly string[], fallback?: boolean): boolean {
    return this.read(keys, fallback, 'true or false', (v) => typeof v === 'boolean') as boolean;
  }

  string(keys: string | readonly string[], fallback?: string): string {
    return this.read(keys, fallback, 'a string', (v) => typeof v === 'string') as string;
  }

  /** Records that `key`'s value is not supported, and why. */
  reject(key: string, why: string): void {
    this.issues.push(`'${key}' = ${preview(this.json[key])}: ${why}`);
  }

  /**
   * RoPE's base from `thetaKeys`, or from `rope_parameters` (newer transformers), rejecting
   * RoPE scaling (long-context variants), which the graph does not implement.
   */
  ropeTheta(thetaKeys: string | readonly string[], fallback: number): number {
    const scaling = this.json['rope_scaling'] as { rope_type?: unknown; type?: unknown } | null | undefined;
    if (scaling && (scaling.rope_type ?? scaling.type) !== 'default') this.reject('rope_scaling', 'RoPE scaling is not supported; only plain RoPE models load');
    const params = this.json['rope_parameters'] as { rope_type?: unknown; rope_theta?: unknown } | null | undefined;
    if (!params) return this.number(thetaKeys, fallback);
    if (params.rope_type !== undefined && params.rope_type !== 'default') this.reject('rope_parameters', `rope_type ${preview(params.rope_type)} is not supported; only plain RoPE ('default') models load`);
    if (typeof params.rope_theta === 'number') return params.rope_theta;
    return this.number(thetaKeys, fallback);
  }

  private read(keys: string | readonly string[], fallback: unknown, expected: string, ok: (v: unknown) => boolean): unknown {
    const list = typeof keys === 'string' ? [keys] : keys;
    const key = list.find((k) => this.has(k));
    if (key === undefined) {
      if (fallback === undefined) this.issues.push(`missing '${list.join("' or '")}'`);
      return fallback;
    }
    const v = this.json[key];
    if (!ok(v)) {
      this.issues.push(`'${key}' must be ${expected}, got ${preview(v)}`);
      return fallback;
    }
    return v;
  }
}

/** GELU forms by Hugging Face activation name: exact (erf) or the tanh approximation. */
export const GELU_BY_ACTIVATION: Readonly<Record<string, ModelConfig['gelu']>> = {
  gelu: 'none',
  gelu_new: 'tanh',
  gelu_pytorch_tanh: 'tanh',
  gelu_fast: 'tanh',
};
