/**
 * @module values
 * Value lists for the dimensions: the defaults derived from a model, and the checks every
 * list (default, override or explicit) passes before a space is built.
 */
import { headsOf, isMultiHead, mlpHiddenOf, ModelConfig, rotaryDims } from '@carve/model';
import { DIMENSION_NAMES, DimensionName, ExportRule, SpaceValues } from './types';

/** Steps of the default embedding and head-size ladders, from a quarter of the width up. */
const LADDER_STEPS = 8;
/** Default MLP widths, as fractions of the model's. */
const MLP_FRACTIONS = [1 / 4, 1 / 2, 3 / 4, 1];

/** Layer dimensions must fit every layer, so a model with uneven layers is bounded by its narrowest. */
const maxHeads = (c: ModelConfig) => Math.min(...Array.from({ length: c.nLayer }, (_, i) => headsOf(c, i)));
const maxMlp = (c: ModelConfig) => Math.min(...Array.from({ length: c.nLayer }, (_, i) => mlpHiddenOf(c, i)));

/** The model's own bound for each dimension. */
function maxOf(c: ModelConfig, name: DimensionName): number {
  return { embedDim: c.nEmbd, heads: maxHeads(c), headSize: c.headSize, mlpHidden: maxMlp(c), depth: c.nLayer }[name];
}

const unique = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

/**
 * LADDER_STEPS evenly spaced widths from hi/4 to hi, rounded to multiples of `step`.
 * Multiples of 8 keep matrix shapes friendly to kernels, when the width allows them.
 */
function ladder(hi: number, minStep: number): number[] {
  const step = hi % 8 === 0 && hi / 4 >= 8 ? 8 : minStep;
  const lo = hi / 4;
  const values = Array.from({ length: LADDER_STEPS }, (_, i) => {
    const v = lo + ((hi - lo) * i) / (LADDER_STEPS - 1);
    return Math.min(hi, Math.max(step, Math.round(v / step) * step));
  });
  return unique([...values, hi]);
}

/** Head sizes: a head can shrink only when RoPE rotates all of it (then in pairs) or there is no RoPE. */
function defaultHeadSizes(c: ModelConfig): number[] {
  if (c.position !== 'rope') return ladder(c.headSize, 1);
  return rotaryDims(c) === c.headSize ? ladder(c.headSize, 2) : [c.headSize];
}

/** Query heads: multiples of the KV groups under GQA (groups are kept), any count under MHA. */
function defaultHeads(c: ModelConfig): number[] {
  const step = isMultiHead(c) ? 1 : c.nQueryGroups;
  return Array.from({ length: Math.floor(maxHeads(c) / step) }, (_, i) => (i + 1) * step);
}

/** The default value lists of a model (the paper's joint space). */
export function defaultValues(c: ModelConfig, minDepth = 1): SpaceValues {
  return {
    embedDim: ladder(c.nEmbd, 1),
    heads: defaultHeads(c),
    headSize: defaultHeadSizes(c),
    mlpHidden: unique(MLP_FRACTIONS.map((f) => Math.max(1, Math.round(maxMlp(c) * f)))),
    depth: Array.from({ length: c.nLayer - minDepth + 1 }, (_, i) => minDepth + i),
  };
}

/** Why `v` cannot be a value of dimension `name` of model `c` (empty when it can). */
function valueIssues(c: ModelConfig, name: DimensionName, v: number): string[] {
  if (!Number.isInteger(v) || v < 1) return [`${name}: ${v} is not a positive integer`];
  const max = maxOf(c, name);
  if (v > max) return [`${name}: ${v} exceeds the model's ${max}${name === 'depth' ? ' layers' : ''}`];
  if (name === 'heads' && !isMultiHead(c) && v % c.nQueryGroups !== 0) return [`heads: ${v} is not divisible by ${c.nQueryGroups} KV groups`];
  if (name === 'headSize' && c.position === 'rope' && v !== c.headSize) {
    if (rotaryDims(c) !== c.headSize) return [`headSize: ${v} is not the model's ${c.headSize}; a head cannot shrink when RoPE rotates only part of it (rotaryFraction ${c.rotaryFraction})`];
    if (v % 2 !== 0) return [`headSize: ${v} is odd; RoPE rotates pairs of dimensions`];
  }
  return [];
}

/** Every problem with the lists: not lists, empty, repeated or out-of-model values. */
export function valuesIssues(c: ModelConfig, values: Partial<Record<DimensionName, unknown>>): string[] {
  const issues: string[] = [];
  for (const name of DIMENSION_NAMES) {
    const list = values[name];
    if (!Array.isArray(list) || list.length === 0) {
      issues.push(`${name}: ${list === undefined ? 'missing' : 'expected a non-empty list of integers'}`);
      continue;
    }
    list.forEach((v, i) => {
      if (typeof v !== 'number') issues.push(`${name}: ${JSON.stringify(v)} is not a number`);
      else if (list.indexOf(v) !== i) issues.push(`${name}: ${v} is listed twice`);
      else issues.push(...valueIssues(c, name, v));
    });
  }
  return issues;
}

/**
 * Values no partner can ever satisfy `rule` with. Under 'hf' an embedding width must be
 * divisible by some heads value and a heads value must divide some width.
 */
export function unsatisfiable(rule: ExportRule | undefined, values: SpaceValues): Pick<SpaceValues, 'embedDim' | 'heads'> {
  if (rule !== 'hf') return { embedDim: [], heads: [] };
  return {
    embedDim: values.embedDim.filter((e) => !values.heads.some((h) => e % h === 0)),
    heads: values.heads.filter((h) => !values.embedDim.some((e) => e % h === 0)),
  };
}

/** Why `order` is not a permutation of the model's layers (empty when it is). */
export function layerOrderIssues(c: ModelConfig, order: unknown): string[] {
  const all = Array.from({ length: c.nLayer }, (_, i) => i);
  if (!Array.isArray(order)) return [`layerOrder: expected a list of layer indices, got ${JSON.stringify(order)}`];
  const strange = order.filter((l) => !all.includes(l));
  const repeated = unique(order.filter((l, i) => all.includes(l) && order.indexOf(l) !== i));
  const missing = all.filter((l) => !order.includes(l));
  if (!strange.length && !repeated.length && !missing.length) return [];
  const why = [
    strange.length ? `not layers: ${strange.map((l) => JSON.stringify(l)).join(', ')}` : '',
    repeated.length ? `repeated: ${repeated.join(', ')}` : '',
    missing.length ? `missing: ${missing.join(', ')}` : '',
  ].filter(Boolean);
  return [`layerOrder: [${order.map((l) => JSON.stringify(l)).join(', ')}] is not a permutation of the layers 0..${c.nLayer - 1} (${why.join('; ')})`];
}
