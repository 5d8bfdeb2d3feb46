/**
 * @module subnetwork
 * A sub-network of a model: an embedding width, a head size, and the layers it keeps,
 * each with its number of query heads and MLP width. After importance sorting every width
 * is a leading slice, so a choice of sizes is a sub-network.
 */
import { UserError } from '@carve/engine';
import { headsOf, isMultiHead, mlpHiddenOf, ModelConfig, rotaryDims } from './config';

export interface LayerChoice {
  /** Index of the layer in the full model. */
  readonly index: number;
  /** Query heads kept: under GQA the KV groups stay and queries per group shrink. */
  readonly heads: number;
  readonly mlpHidden: number;
}

export interface SubNetwork {
  readonly embedDim: number;
  readonly headSize: number;
  /** Layers kept, in their original order. */
  readonly layers: readonly LayerChoice[];
}

export class SubNetworkError extends UserError {
  override readonly name = 'SubNetworkError';
  constructor(message: string, issues: readonly string[]) {
    super(message, 'invalid_subnetwork', issues);
  }
}

/** The whole model as a sub-network of itself. */
export function fullSubNetwork(c: ModelConfig): SubNetwork {
  return {
    embedDim: c.nEmbd,
    headSize: c.headSize,
    layers: Array.from({ length: c.nLayer }, (_, i) => ({ index: i, heads: headsOf(c, i), mlpHidden: mlpHiddenOf(c, i) })),
  };
}

/** True when the sub-network is the whole model (its graph needs no slicing). */
export function isFullSubNetwork(c: ModelConfig, s: SubNetwork): boolean {
  const full = fullSubNetwork(c);
  return (
    s.embedDim === full.embedDim &&
    s.headSize === full.headSize &&
    s.layers.length === full.layers.length &&
    s.layers.every((l, i) => l.index === i && l.heads === full.layers[i].heads && l.mlpHidden === full.layers[i].mlpHidden)
  );
}

/** Every reason the choice cannot be a sub-network of the model, each naming its field. */
export function subNetworkIssues(c: ModelConfig, s: SubNetwork): string[] {
  const issues: string[] = [];
  const inRange = (field: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) issues.push(`${field}: ${v} is not an integer in [1, ${max}]`);
  };
  inRange('embedDim', s.embedDim, c.nEmbd);
  inRange('headSize', s.headSize, c.headSize);
  if (c.position === 'rope' && s.headSize !== c.headSize) {
    if (rotaryDims(c) !== c.headSize) issues.push(`headSize: ${s.headSize} != ${c.headSize}; a head cannot shrink when RoPE rotates only part of it (rotaryFraction ${c.rotaryFraction})`);
    else if (s.headSize % 2 !== 0) issues.push(`headSize: ${s.headSize} is odd; RoPE rotates pairs of dimensions`);
  }
  if (s.layers.length === 0) issues.push('layers: a sub-network needs at least one layer');
  s.layers.forEach((l, i) => {
    const at = `layers[${i}]`;
    if (!Number.isInteger(l.index) || l.index < 0 || l.index >= c.nLayer) {
      issues.push(`${at}.index: ${l.index} is not a layer of a ${c.nLayer}-layer model`);
      return;
    }
    if (i > 0 && l.index <= s.layers[i - 1].index) issues.push(`${at}.index: layers must be distinct and in their original order, got ${s.layers[i - 1].index} then ${l.index}`);
    inRange(`${at}.heads (layer ${l.index})`, l.heads, headsOf(c, l.index));
    if (!isMultiHead(c) && Number.isInteger(l.heads) && l.heads % c.nQueryGroups !== 0) {
      const lower = Math.max(c.nQueryGroups, l.heads - (l.heads % c.nQueryGroups));
      issues.push(`${at}.heads (layer ${l.index}): ${l.heads} heads are not divisible by ${c.nQueryGroups} KV groups; use ${lower} or ${lower + c.nQueryGroups}`);
    }
    inRange(`${at}.mlpHidden (layer ${l.index})`, l.mlpHidden, mlpHiddenOf(c, l.index));
  });
  return issues;
}

/** Throws a SubNetworkError listing every issue, before any compute. */
export function assertSubNetwork(c: ModelConfig, s: SubNetwork): void {
  const issues = subNetworkIssues(c, s);
  if (issues.length) throw new SubNetworkError(`sub-network of '${c.name}' is invalid: ${issues.join('; ')}`, issues);
}

/**
 * The config of the standalone model that extracting the sub-network yields. A smaller
 * RoPE head keeps the full head's frequencies for the pairs it keeps: the base becomes
 * θ^(d'/d), since (θ^(d'/d))^(-2i/d') = θ^(-2i/d).
 */
export function subNetworkConfig(c: ModelConfig, s: SubNetwork, name = `${c.name}-sub`): ModelConfig {
  assertSubNetwork(c, s);
  const heads = s.layers.map((l) => l.heads);
  const mlp = s.layers.map((l) => l.mlpHidden);
  const nHead = Math.max(...heads);
  const uniform = (xs: number[]) => xs.every((x) => x === xs[0]);
  const out: ModelConfig = {
    ...c,
    name,
    nEmbd: s.embedDim,
    nLayer: s.layers.length,
    nHead,
    nQueryGroups: isMultiHead(c) ? nHead : c.nQueryGroups,
    headSize: s.headSize,
    mlpHidden: Math.max(...mlp),
    ropeTheta: c.position === 'rope' && s.headSize !== c.headSize ? c.ropeTheta ** (s.headSize / c.headSize) : c.ropeTheta,
  };
  delete out.layerHeads;
  delete out.layerMlpHidden;
  if (!uniform(heads)) out.layerHeads = heads;
  if (!uniform(mlp)) out.layerMlpHidden = mlp;
  return out;
}

