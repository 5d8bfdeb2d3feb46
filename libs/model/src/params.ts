/**
 * @module params
 * The model's parameters: canonical names, shapes, and what each axis indexes, so one
 * description drives initialization, checkpoint mapping, counting and slicing.
 * Linear weights are stored [in, out] (y = x·W), so the graphs need no transposes.
 */
import { headsOf, MlpKind, mlpHiddenOf, ModelConfig, queryGroupsOf } from './config';

/**
 * What an axis indexes: the vocabulary, positions, the residual width, query-head
 * features (groups × queries per group × head), key/value features (groups × head), MLP
 * neurons, or a LoRA rank. Sub-networks take leading slices of each (see slicing.ts).
 */
export type AxisKind = 'vocab' | 'position' | 'embed' | 'q' | 'kv' | 'mlp' | 'rank';

export interface ParamSpec {
  name: string;
  shape: number[];
  axes: AxisKind[];
  /** The block it belongs to, if any. */
  layer?: number;
  /** How to initialize it when training from scratch. */
  init: 'normal' | 'zeros' | 'ones';
}

/** The linear layers LoRA can adapt, by the names used in LoRA target lists. */
export type LinearName = 'q' | 'k' | 'v' | 'o' | 'fc' | 'proj' | 'gate' | 'up' | 'down' | 'head';

export interface LinearSpec {
  /** LoRA's name for it ('q', 'fc', ...). */
  linear: LinearName;
  /** The weight's parameter name; its bias, if any, is `${prefix}.bias`. */
  weight: string;
  prefix: string;
  inAxis: AxisKind;
  outAxis: AxisKind;
  layer?: number;
}

const MLP_LINEARS: Record<MlpKind, [LinearName, AxisKind, AxisKind][]> = {
  gelu: [
    ['fc', 'embed', 'mlp'],
    ['proj', 'mlp', 'embed'],
  ],
  swiglu: [
    ['gate', 'embed', 'mlp'],
    ['up', 'embed', 'mlp'],
    ['down', 'mlp', 'embed'],
  ],
};

/** Size of an axis in layer `layer` of the model. */
export function axisSize(c: ModelConfig, kind: AxisKind, layer = 0): number {
  switch (kind) {
    case 'vocab':
      return c.vocabSize;
    case 'position':
      return c.blockSize;
    case 'embed':
      return c.nEmbd;
    case 'q':
      return headsOf(c, layer) * c.headSize;
    case 'kv':
      return queryGroupsOf(c, layer) * c.headSize;
    case 'mlp':
      return mlpHiddenOf(c, layer);
    case 'rank':
      throw new Error('the LoRA rank is not a model axis');
  }
}

/** Every linear layer of the model, in order, with what its input and output index. */
export function linearSpecs(c: ModelConfig): LinearSpec[] {
  const out: LinearSpec[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    const at = `layers.${l}`;
    const attn: [LinearName, AxisKind, AxisKind][] = [
      ['q', 'embed', 'q'],
      ['k', 'embed', 'kv'],
      ['v', 'embed', 'kv'],
      ['o', 'q', 'embed'],
    ];
    for (const [linear, inAxis, outAxis] of attn) out.push({ linear, prefix: `${at}.attn.${linear}`, weight: `${at}.attn.${linear}.weight`, inAxis, outAxis, layer: l });
    for (const [linear, inAxis, outAxis] of MLP_LINEARS[c.mlp]) out.push({ linear, prefix: `${at}.mlp.${linear}`, weight: `${at}.mlp.${linear}.weight`, inAxis, outAxis, layer: l });
  }
  if (!c.tiedEmbeddings) out.push({ linear: 'head', prefix: 'lm_head', weight: 'lm_head.weight', inAxis: 'embed', outAxis: 'vocab' });
  return out;
}

function hasBias(c: ModelConfig, linear: LinearName): boolean {
  if (linear === 'head') return false;
  return linear === 'q' || linear === 'k' || linear === 'v' ? c.qkvBias : c.bias;
}

/** Every parameter of the model in a fixed order (the order checkpoints are written in). */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const specs: ParamSpec[] = [{ name: 'wte', shape: [c.vocabSize, c.nEmbd], axes: ['vocab', 'embed'], init: 'normal' }];
  if (c.position === 'learned') specs.push({ name: 'wpe', shape: [c.blockSize, c.nEmbd], axes: ['position', 'embed'], init: 'normal' });
  const norm = (prefix: string, layer?: number) => {
    specs.push({ name: `${prefix}.weight`, shape: [c.nEmbd], axes: ['embed'], layer, init: 'ones' });
    if (c.norm === 'layernorm') specs.push({ name: `${prefix}.bias`, shape: [c.nEmbd], axes: ['embed'], layer, init: 'zeros' });
  };
  const linears = linearSpecs(c);
  for (let l = 0; l < c.nLayer; l++) {
    norm(`layers.${l}.norm_1`, l);
    norm(`layers.${l}.norm_2`, l);
    for (const s of linears.filter((x) => x.layer === l)) {
      specs.push({ name: s.weight, shape: [axisSize(c, s.inAxis, l), axisSize(c, s.outAxis, l)], axes: [s.inAxis, s.outAxis], layer: l, init: 'normal' });
      if (hasBias(c, s.linear)) specs.push({ name: `${s.prefix}.bias`, shape: [axisSize(c, s.outAxis, l)], axes: [s.outAxis], layer: l, init: 'zeros' });
    }
  }
  norm('norm_f');
  for (const s of linears.filter((x) => x.layer === undefined)) {
    specs.push({ name: s.weight, shape: [c.nEmbd, c.vocabSize], axes: ['embed', 'vocab'], init: 'normal' });
  }
  return specs;
}

/** Whether linear `s` has a bias parameter. */
export function linearHasBias(c: ModelConfig, s: LinearSpec): boolean {
  return hasBias(c, s.linear);
}
