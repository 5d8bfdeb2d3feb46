/**
 * @module spaces
 * The three spaces: joint (one value per dimension, the paper's), layer-wise (heads and
 * MLP width per layer) and explicit (value lists from a run spec). Each checks all of its
 * input first and throws once, listing every problem.
 */
import { ModelConfig } from '@carve/model';
import { createSpace } from './space';
import { DefaultSpaceOptions, DIMENSION_NAMES, DimensionName, EXPORT_RULES, ExplicitSpaceOptions, SearchSpace, SearchSpaceError, SpaceOptions, SpaceValues } from './types';
import { defaultValues, layerOrderIssues, unsatisfiable, valuesIssues } from './values';

const COMMON_OPTIONS = ['layerOrder', 'exportRule'];
const DEFAULT_OPTIONS = [...COMMON_OPTIONS, ...DIMENSION_NAMES, 'minDepth'];
const EXPLICIT_OPTIONS = [...COMMON_OPTIONS, 'layerwise'];

const unknownKeys = (what: string, obj: object, known: readonly string[]) =>
  Object.keys(obj)
    .filter((k) => !known.includes(k))
    .map((k) => `${what}: unknown key '${k}' (known: ${known.join(', ')})`);

/** Problems with the options every space takes. */
function commonIssues(c: ModelConfig, options: SpaceOptions, known: readonly string[]): string[] {
  const issues = unknownKeys('options', options, known);
  if (options.exportRule !== undefined && !EXPORT_RULES.includes(options.exportRule)) issues.push(`exportRule: '${options.exportRule}' is not a known rule (known: ${EXPORT_RULES.join(', ')})`);
  if (options.layerOrder !== undefined) issues.push(...layerOrderIssues(c, options.layerOrder));
  return issues;
}

/**
 * Validates, applies the export rule to the lists and builds the space. Under a rule, values
 * that no partner can satisfy are dropped from default lists and reported in given ones.
 */
function build(name: string, c: ModelConfig, values: SpaceValues, given: readonly DimensionName[], options: SpaceOptions, layerwise: boolean, issues: string[]): SearchSpace {
  issues.push(...valuesIssues(c, values));
  if (!issues.length && options.exportRule) {
    const bad = unsatisfiable(options.exportRule, values);
    const rule = `(export rule '${options.exportRule}')`;
    for (const e of given.includes('embedDim') ? bad.embedDim : []) issues.push(`embedDim: ${e} is divisible by none of the heads values ${values.heads.join(', ')} ${rule}`);
    for (const h of given.includes('heads') ? bad.heads : []) issues.push(`heads: ${h} divides none of the embedDim values ${values.embedDim.join(', ')} ${rule}`);
    values = { ...values, embedDim: values.embedDim.filter((e) => !bad.embedDim.includes(e)), heads: values.heads.filter((h) => !bad.heads.includes(h)) };
    if (!issues.length && !values.embedDim.length) issues.push(`embedDim, heads: no default embedding width is divisible by a default number of heads ${rule}; give embedDim or heads`);
  }
  if (issues.length) throw new SearchSpaceError(`${name} space for '${c.name}': ${issues.join('; ')}`, 'invalid_search_space', issues);
  const sorted = Object.fromEntries(DIMENSION_NAMES.map((d) => [d, [...values[d]].sort((a, b) => a - b)])) as unknown as SpaceValues;
  return createSpace({
    name,
    config: c,
    values: sorted,
    layerwise: layerwise && !options.exportRule,
    layerOrder: options.layerOrder ?? Array.from({ length: c.nLayer }, (_, i) => i),
    exportRule: options.exportRule,
  });
}

/** Default lists with the user's overrides; minDepth moves the default depth list's start. */
function withDefaults(name: string, c: ModelConfig, options: DefaultSpaceOptions, layerwise: boolean): SearchSpace {
  const issues = commonIssues(c, options, DEFAULT_OPTIONS);
  const { minDepth } = options;
  if (minDepth !== undefined && options.depth !== undefined) issues.push('minDepth: give minDepth or depth, not both');
  else if (minDepth !== undefined && !(Number.isInteger(minDepth) && minDepth >= 1 && minDepth <= c.nLayer)) issues.push(`minDepth: ${minDepth} is not an integer in [1, ${c.nLayer}]`);
  const given = DIMENSION_NAMES.filter((d) => options[d] !== undefined);
  const values = { ...defaultValues(c, issues.length ? 1 : minDepth), ...Object.fromEntries(given.map((d) => [d, options[d]])) };
  return build(name, c, values, given, options, layerwise, issues);
}

/**
 * The paper's space: one embedding width, number of query heads, head size, MLP width and
 * depth for the whole sub-network. Defaults come from the model: 8 embedding widths from
 * nEmbd/4 to nEmbd (multiples of 8 when nEmbd allows), every valid head count (multiples
 * of the KV groups under GQA), head sizes likewise from headSize/4 (even under RoPE; only
 * the full size when RoPE rotates part of a head), MLP widths at 1/4, 1/2, 3/4 and 1 of
 * mlpHidden, and depths from `minDepth` to nLayer.
 */
export function jointSpace(c: ModelConfig, options: DefaultSpaceOptions = {}): SearchSpace {
  return withDefaults('joint', c, options, false);
}

/** Like the joint space, but heads and MLP width are chosen for each kept layer. */
export function layerwiseSpace(c: ModelConfig, options: DefaultSpaceOptions = {}): SearchSpace {
  return withDefaults('layerwise', c, options, true);
}

/**
 * A space over the value lists a run spec gives, e.g.
 * `{ embedDim: [32, 64], heads: [4, 8], headSize: [8], mlpHidden: [86, 172], depth: [3, 4, 5] }`.
 * Every list is required; unknown keys, duplicates and values the model cannot take are all
 * reported in one error.
 */
export function explicitSpace(c: ModelConfig, values: SpaceValues, options: ExplicitSpaceOptions = {}): SearchSpace {
  const issues = commonIssues(c, options, EXPLICIT_OPTIONS);
  if (options.layerwise !== undefined && typeof options.layerwise !== 'boolean') issues.push(`layerwise: expected true or false, got ${JSON.stringify(options.layerwise)}`);
  issues.push(...unknownKeys('values', values, DIMENSION_NAMES));
  return build('explicit', c, values, DIMENSION_NAMES, options, options.layerwise === true, issues);
}
