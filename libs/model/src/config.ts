/**
 * @module config
 * One configuration type for every decoder family. Family differences are values (the
 * norm, the MLP, the positions, parallel residuals, biases, tied embeddings), not
 * subclasses, so one graph builder serves them all.
 */
import { UserError } from '@carve/engine';

export type NormKind = 'layernorm' | 'rmsnorm';
export type MlpKind = 'gelu' | 'swiglu';
export type PositionKind = 'learned' | 'rope';
/** How RoPE pairs dimensions: (2i, 2i+1) as llama2.c, or (i, i + d/2) as Hugging Face. */
export type RopeLayout = 'interleaved' | 'half';
/** The checkpoint family: decides tensor names when loading and saving. */
export type Family = 'llama' | 'gpt2' | 'gpt_neox';

export interface ModelConfig {
  name: string;
  family: Family;

  // Sizes.
  vocabSize: number;
  /** Width of the residual stream (the embedding). */
  nEmbd: number;
  nLayer: number;
  /** Query heads per layer. */
  nHead: number;
  /** Key/value heads, shared by nHead / nQueryGroups queries each: nHead for MHA, 1 for MQA. */
  nQueryGroups: number;
  headSize: number;
  /** Longest sequence the model was trained for (learned positions have this many rows). */
  blockSize: number;

  // Block structure.
  norm: NormKind;
  normEps: number;
  mlp: MlpKind;
  /** Hidden width of the MLP. */
  mlpHidden: number;
  /** GELU form for the 'gelu' MLP: 'tanh' for GPT-2, 'none' (erf) for GPT-NeoX. */
  gelu: 'none' | 'tanh';
  /** x + attn(norm1(x)) + mlp(norm2(x)) instead of two sequential residuals (GPT-NeoX). */
  parallelResidual: boolean;
  /** Biases on the attention output and MLP projections. */
  bias: boolean;
  /** Biases on the q, k and v projections (Qwen2 has these without `bias`). */
  qkvBias: boolean;

  // Positions.
  position: PositionKind;
  ropeLayout: RopeLayout;
  /** Fraction of each head's dimensions that RoPE rotates (GPT-NeoX rotary_pct). */
  rotaryFraction: number;
  ropeTheta: number;

  // Output head.
  /** The output head reuses the token embedding (GPT-2, stories260K). */
  tiedEmbeddings: boolean;

  /**
   * Per-layer query heads and MLP widths, for extracted sub-networks whose layers differ.
   * When absent every layer has nHead and mlpHidden.
   */
  layerHeads?: readonly number[];
  layerMlpHidden?: readonly number[];
}

/** What a preset or a loader must give; the rest has family defaults or is derived. */
export type ModelConfigInput = Pick<ModelConfig, 'name' | 'family' | 'vocabSize' | 'nEmbd' | 'nLayer' | 'nHead'> & Partial<ModelConfig>;

export class ConfigError extends UserError {
  override readonly name = 'ConfigError';
  constructor(message: string, issues: readonly string[]) {
    super(message, 'invalid_config', issues);
  }
}

const FAMILY_DEFAULTS: Record<Family, Partial<ModelConfig>> = {
  llama: { norm: 'rmsnorm', normEps: 1e-5, mlp: 'swiglu', gelu: 'none', parallelResidual: false, bias: false, qkvBias: false, position: 'rope', ropeLayout: 'half', rotaryFraction: 1, ropeTheta: 10000, tiedEmbeddings: false },
  gpt2: { norm: 'layernorm', normEps: 1e-5, mlp: 'gelu', gelu: 'tanh', parallelResidual: false, bias: true, qkvBias: true, position: 'learned', ropeLayout: 'half', rotaryFraction: 1, ropeTheta: 10000, tiedEmbeddings: true },
  gpt_neox: { norm: 'layernorm', normEps: 1e-5, mlp: 'gelu', gelu: 'none', parallelResidual: true, bias: true, qkvBias: true, position: 'rope', ropeLayout: 'half', rotaryFraction: 0.25, ropeTheta: 10000, tiedEmbeddings: false },
};

/**
 * Completes a config from family defaults, derives what it can (head size, query groups,
 * MLP width) and rejects what is inconsistent, listing every problem with the config's name.
 */
export function resolveConfig(input: ModelConfigInput): ModelConfig {
  const defaults = FAMILY_DEFAULTS[input.family];
  if (!defaults) throw new ConfigError(`config '${input.name}': unknown family '${String(input.family)}' (known: ${Object.keys(FAMILY_DEFAULTS).join(', ')})`, ['family']);
  const mlpKind = input.mlp ?? defaults.mlp;
  const c = {
    blockSize: 2048,
    nQueryGroups: input.nHead,
    ...defaults,
    ...input,
    headSize: input.headSize ?? input.nEmbd / input.nHead,
    mlpHidden: input.mlpHidden ?? (mlpKind === 'gelu' ? 4 * input.nEmbd : undefined),
  } as ModelConfig;
  const issues = validateConfig(c);
  if (issues.length) throw new ConfigError(`config '${input.name}': ${issues.join('; ')}`, issues);
  return c;
}

/**
 * Bounds far above any real model (the largest have about 130 layers), so a corrupt or hostile
 * config (a config.json with num_hidden_layers 1e308) fails here instead of running out of
 * memory in a loop over its layers; sizes must also fit the int32 of token ids and ONNX shapes.
 */
export const MAX_LAYERS = 1024;
export const MAX_SIZE = 2 ** 31 - 1;

function validateConfig(c: ModelConfig): string[] {
  const issues: string[] = [];
  const positive = (key: keyof ModelConfig) => {
    const v = c[key];
    const max = key === 'nLayer' ? MAX_LAYERS : MAX_SIZE;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) issues.push(`${key} must be a positive integer, got ${String(v)}`);
    else if (v > max) issues.push(`${key} must be at most ${max}, got ${v}`);
  };
  for (const key of ['vocabSize', 'nEmbd', 'nLayer', 'nHead', 'nQueryGroups', 'headSize', 'blockSize'] as const) positive(key);
  if (c.mlpHidden === undefined) issues.push(`mlpHidden must be given for a '${c.mlp}' MLP (LLaMA-style MLPs have no default width)`);
  else positive('mlpHidden');
  if (c.nHead % c.nQueryGroups !== 0) issues.push(`nHead ${c.nHead} is not divisible by nQueryGroups ${c.nQueryGroups}`);
  if (c.position === 'rope') {
    const rotary = Math.round(c.headSize * c.rotaryFraction);
    if (!(c.rotaryFraction > 0 && c.rotaryFraction <= 1)) issues.push(`rotaryFraction must be in (0, 1], got ${c.rotaryFraction}`);
    else if (rotary % 2 !== 0) issues.push(`RoPE needs an even number of rotated dimensions, got ${rotary} (headSize ${c.headSize} × rotaryFraction ${c.rotaryFraction})`);
  }
  if (!(c.normEps > 0)) issues.push(`normEps must be > 0, got ${c.normEps}`);
  for (const [key, values] of [['layerHeads', c.layerHeads], ['layerMlpHidden', c.layerMlpHidden]] as const) {
    if (!values) continue;
    if (values.length !== c.nLayer) issues.push(`${key} has ${values.length} entries for ${c.nLayer} layers`);
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v <= 0) issues.push(`${key}[${i}] must be a positive integer, got ${v}`);
      else if (key === 'layerHeads' && !isMultiHead(c) && v % c.nQueryGroups !== 0) issues.push(`layerHeads[${i}] = ${v} is not divisible by nQueryGroups ${c.nQueryGroups}`);
    });
  }
  return issues;
}

/** Multi-head attention: one key/value head per query head. */
export function isMultiHead(c: ModelConfig): boolean {
  return c.nQueryGroups === c.nHead;
}

/** Key/value heads of layer i: under MHA they follow the layer's query heads. */
export function queryGroupsOf(c: ModelConfig, layer: number): number {
  return isMultiHead(c) ? headsOf(c, layer) : c.nQueryGroups;
}

/** Query heads of layer i. */
export function headsOf(c: ModelConfig, layer: number): number {
  return c.layerHeads?.[layer] ?? c.nHead;
}

/** MLP hidden width of layer i. */
export function mlpHiddenOf(c: ModelConfig, layer: number): number {
  return c.layerMlpHidden?.[layer] ?? c.mlpHidden;
}

/** Number of dimensions of each head that RoPE rotates (0 without RoPE). */
export function rotaryDims(c: ModelConfig): number {
  return c.position === 'rope' ? Math.round(c.headSize * c.rotaryFraction) : 0;
}
