/**
 * @module lora
 * LoRA adapters shared by all sub-networks: each adapted linear W [in, out] gets A [in, r]
 * and B [r, out], and computes x·W + (α/r)·(x·A)·B. A sub-network slices A by its input
 * features and B by its output features, exactly as it slices W.
 */
import { Rng } from '@carve/engine';
import { ModelConfig } from './config';
import { LinearName, linearSpecs, LinearSpec, ParamSpec, axisSize } from './params';
import { float32Of, WeightValues } from './checkpoint/checkpoint';

/** The modules LoRA can target; 'mlp' stands for every linear of the MLP. */
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'mlp' | 'head';

export const LORA_TARGETS: readonly LoraTarget[] = ['q', 'k', 'v', 'o', 'mlp', 'head'];

export interface LoraConfig {
  rank: number;
  /** Scaling numerator: the update is (alpha / rank)·(x·A)·B. */
  alpha: number;
  /** Dropout on the adapter's input during training. */
  dropout: number;
  targets: readonly LoraTarget[];
}

const MLP_LINEARS: readonly LinearName[] = ['fc', 'proj', 'gate', 'up', 'down'];

/** Validates a LoRA config, listing every problem. */
export function loraIssues(lora: LoraConfig): string[] {
  const issues: string[] = [];
  if (!Number.isInteger(lora.rank) || lora.rank < 1) issues.push(`lora.rank must be a positive integer, got ${lora.rank}`);
  if (!(lora.alpha > 0)) issues.push(`lora.alpha must be > 0, got ${lora.alpha}`);
  if (!(lora.dropout >= 0 && lora.dropout < 1)) issues.push(`lora.dropout must be in [0, 1), got ${lora.dropout}`);
  if (lora.targets.length === 0) issues.push('lora.targets must name at least one module');
  for (const t of lora.targets) if (!LORA_TARGETS.includes(t)) issues.push(`lora.targets: unknown module '${t}' (known: ${LORA_TARGETS.join(', ')})`);
  return issues;
}

/** The linears that `lora` adapts in model `c`. */
export function loraLinears(c: ModelConfig, lora: LoraConfig): LinearSpec[] {
  const issues = loraIssues(lora);
  if (issues.length) throw new Error(`LoRA config: ${issues.join('; ')}`);
  return linearSpecs(c).filter((s) => lora.targets.includes(MLP_LINEARS.includes(s.linear) ? 'mlp' : (s.linear as LoraTarget)));
}

/** The adapters' parameters: `${linear}.lora_a` [in, r] and `${linear}.lora_b` [r, out]. */
export function loraParamSpecs(c: ModelConfig, lora: LoraConfig): ParamSpec[] {
  return loraLinears(c, lora).flatMap((s) => [
    { name: `${s.prefix}.lora_a`, shape: [axisSize(c, s.inAxis, s.layer), lora.rank], axes: [s.inAxis, 'rank'], layer: s.layer, init: 'normal' },
    { name: `${s.prefix}.lora_b`, shape: [lora.rank, axisSize(c, s.outAxis, s.layer)], axes: ['rank', s.outAxis], layer: s.layer, init: 'zeros' },
  ]);
}

/**
 * Fresh adapters as PEFT initializes them: A uniform with bound 1/√in (Kaiming-uniform with
 * a = √5), B zero, so training starts from the base model's function.
 */
export function initLora(c: ModelConfig, lora: LoraConfig, rng: Rng): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of loraParamSpecs(c, lora)) {
    const data = new Float32Array(spec.shape[0] * spec.shape[1]);
    if (spec.init === 'normal') {
      const bound = 1 / Math.sqrt(spec.shape[0]);
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
    }
    out.set(spec.name, data);
  }
  return out;
}

/**
 * A LoRA dropout mask [rows, features]: each entry 0 with probability p, else 1/(1−p), as
 * inverted dropout scales. Drawn from `rng`, so masks replay exactly from a saved state.
 */
export function dropoutMask(rows: number, features: number, p: number, rng: Rng): Float32Array {
  const mask = new Float32Array(rows * features);
  const keep = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : keep;
  return mask;
}

/** W + (α/r)·A·B for every adapted linear; other weights are shared, not copied. */
export function mergeLora(
  c: ModelConfig,
  weights: ReadonlyMap<string, WeightValues>,
  adapters: ReadonlyMap<string, Float32Array>,
  lora: LoraConfig,
): Map<string, WeightValues> {
  const merged = new Map(weights);
  const scale = lora.alpha / lora.rank;
  const r = lora.rank;
  for (const s of loraLinears(c, lora)) {
    const w = weights.get(s.weight);
    const a = adapters.get(`${s.prefix}.lora_a`);
    const b = adapters.get(`${s.prefix}.lora_b`);
    if (!w || !a || !b) throw new Error(`mergeLora: missing ${!w ? s.weight : !a ? `${s.prefix}.lora_a` : `${s.prefix}.lora_b`}`);
    const inF = a.length / r;
    const outF = b.length / r;
    const out = Float32Array.from(float32Of(w));
    for (let i = 0; i < inF; i++) {
      for (let k = 0; k < r; k++) {
        const aik = a[i * r + k] * scale;
        if (aik === 0) continue;
        const row = i * outF;
        const brow = k * outF;
        for (let j = 0; j < outF; j++) out[row + j] += aik * b[brow + j];
      }
    }
    merged.set(s.weight, out);
  }
  return merged;
}
