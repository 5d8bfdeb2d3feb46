/**
 * @module checkpoint/hf-tensors
 * Hugging Face tensors to our parameters and back, driven by a family's name map. One
 * plan per Hugging Face tensor says which of our parameters it holds, in which layout and
 * with which shape, so loading can check presence and shapes before decoding anything and
 * saving is the same plan run the other way.
 */
import { oneLine } from '@carve/errors';
import { ModelConfig } from '../config';
import { paramSpecs, ParamSpec } from '../params';
import { assertWeightsMatch, CheckpointError, emptyLike, float32Of, fromRaw, HalfValues, rawOf, transpose2d, WeightValues } from './checkpoint';
import { HfFamily, TensorLayout } from './hf-family';
import { hfFamily } from './hf-config';
import { ReadOptions, TensorData, TensorSource } from './safetensors';

interface TensorPlan {
  hfName: string;
  hfShape: number[];
  layout: TensorLayout;
  /** Our parameters it holds: one, or q, k and v for the fused layouts. */
  parts: ParamSpec[];
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** What the layouts move around: float32 values or half bits (the moves are the same). */
type Raw = Float32Array | Uint16Array;

/** The Hugging Face tensors of `c`, in our parameter order. */
function tensorPlans(family: HfFamily, c: ModelConfig): TensorPlan[] {
  const specs = new Map(paramSpecs(c).map((s) => [s.name, s]));
  const plans: TensorPlan[] = [];
  for (const [pattern, target] of Object.entries(family.names)) {
    if (!target) continue;
    const [ours, layout] = target;
    const layers = pattern.includes('{l}') ? Array.from({ length: c.nLayer }, (_, l) => String(l)) : [''];
    for (const l of layers) {
      const names = ours.includes('{qkv}') ? ['q', 'k', 'v'].map((p) => ours.replace('{qkv}', p)) : [ours];
      const parts = names.map((n) => specs.get(n.replace('{l}', l)));
      if (parts.some((p) => !p)) continue; // a parameter this config does not have (a bias, the head)
      plans.push({ hfName: pattern.replace('{l}', l), hfShape: hfShape(layout, parts as ParamSpec[]), layout, parts: parts as ParamSpec[] });
    }
  }
  const order = new Map([...specs.keys()].map((n, i) => [n, i]));
  return plans.sort((a, b) => order.get(a.parts[0].name)! - order.get(b.parts[0].name)!);
}

function hfShape(layout: TensorLayout, parts: ParamSpec[]): number[] {
  const shape = parts[0].shape;
  const fusedOut = parts.reduce((a, p) => a + p.shape[p.shape.length - 1], 0);
  switch (layout) {
    case 'copy':
      return [...shape];
    case 'linear':
      return [...shape].reverse();
    case 'qkv-columns':
      return [...shape.slice(0, -1), fusedOut];
    case 'qkv-heads':
      return shape.length === 2 ? [fusedOut, shape[0]] : [fusedOut];
  }
}

/** For i < count: block i of each part in turn (each part splits into `count` equal blocks). */
function interleave(parts: Raw[], count: number): Raw {
  const out = emptyLike(parts[0], parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (let i = 0; i < count; i++) {
    for (const p of parts) {
      const block = p.length / count;
      out.set(p.subarray(i * block, (i + 1) * block), at);
      at += block;
    }
  }
  return out;
}

/** The inverse of interleave, given each part's total size. */
function deinterleave(data: Raw, sizes: number[], count: number): Raw[] {
  const parts = sizes.map((n) => emptyLike(data, n));
  let at = 0;
  for (let i = 0; i < count; i++) {
    parts.forEach((p, j) => {
      const block = sizes[j] / count;
      p.set(data.subarray(at, at + block), i * block);
      at += block;
    });
  }
  return parts;
}

/** [in, out] to [out, in]; vectors unchanged. */
const outMajor = (data: Raw, shape: number[]) => (shape.length === 2 ? transpose2d(data, shape[0], shape[1]) : data);
/** [out, in] back to our [in, out]. */
const inMajor = (data: Raw, shape: number[]) => (shape.length === 2 ? transpose2d(data, shape[1], shape[0]) : data);

/** Fused tensors interleave q, k, v: per input row (columns layout) or per key/value head (heads layout). */
function fusedCount(c: ModelConfig, plan: TensorPlan): number {
  return plan.layout === 'qkv-columns' ? product(plan.parts[0].shape.slice(0, -1)) : c.nQueryGroups;
}

/** A fused tensor is 16-bit only if every part is. */
function toHf(c: ModelConfig, plan: TensorPlan, weights: ReadonlyMap<string, WeightValues>): Raw {
  const values = plan.parts.map((p) => weights.get(p.name)!);
  const data = values.every((v) => v instanceof HalfValues) ? values.map(rawOf) : values.map(float32Of);
  switch (plan.layout) {
    case 'copy':
      return data[0];
    case 'linear':
      return outMajor(data[0], plan.parts[0].shape);
    case 'qkv-columns':
      return interleave(data, fusedCount(c, plan));
    case 'qkv-heads':
      return interleave(
        data.map((d, i) => outMajor(d, plan.parts[i].shape)),
        fusedCount(c, plan),
      );
  }
}

function fromHf(c: ModelConfig, plan: TensorPlan, data: Raw): Raw[] {
  const sizes = plan.parts.map((p) => product(p.shape));
  switch (plan.layout) {
    case 'copy':
      return [data];
    case 'linear':
      return [inMajor(data, plan.hfShape.slice().reverse())];
    case 'qkv-columns':
      return deinterleave(data, sizes, fusedCount(c, plan));
    case 'qkv-heads':
      return deinterleave(data, sizes, fusedCount(c, plan)).map((d, i) => inMajor(d, plan.parts[i].shape));
  }
}

/**
 * Our weights of `c` as the family's Hugging Face tensors, in our parameter order. Checks
 * the weights against the config first (assertWeightsMatch).
 */
export function weightsToHf(family: HfFamily, c: ModelConfig, weights: ReadonlyMap<string, WeightValues>): [string, TensorData][] {
  assertWeightsMatch(c, weights, `config '${c.name}'`);
  return tensorPlans(family, c).map((plan) => [plan.hfName, { shape: plan.hfShape, data: fromRaw(toHf(c, plan, weights)) }]);
}

/**
 * The name and shape of every tensor transformers' checkpoint of `c` holds, in our
 * parameter order, without any weights: what a writer that streams values needs (a model
 * too large to hold as float32, say).
 */
export function hfTensorShapes(c: ModelConfig): [string, number[]][] {
  return tensorPlans(hfFamily(c.family), c).map((plan) => [plan.hfName, plan.hfShape]);
}

const patternRegex = (pattern: string) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace('{l}', '\\d+')}$`);

/**
 * Reads the family's Hugging Face tensors from `source` as our weights of `c`. Before
 * decoding anything, checks that every expected tensor is present with the shape the config
 * implies and that nothing unknown is there (dropped buffers and a tied head's copy are
 * skipped); throws one CheckpointError naming `where` with every problem. 16-bit tensors
 * stay 16-bit unless `options.dtype` is 'float32' (see TensorSource.readWeight).
 */
export function weightsFromHf(family: HfFamily, c: ModelConfig, source: TensorSource, where: string, options: ReadOptions = {}): Map<string, WeightValues> {
  const plans = tensorPlans(family, c);
  const byName = new Map(plans.map((p) => [p.hfName, p]));
  const ignored = Object.entries(family.names)
    .filter(([, target]) => !target || (c.tiedEmbeddings && target[0] === 'lm_head.weight'))
    .map(([pattern]) => patternRegex(pattern));
  const issues: string[] = [];
  const seen = new Set<TensorPlan>();
  const found = new Map<TensorPlan, string>();
  for (const stored of source.names) {
    const withPrefix = family.optionalPrefix && !byName.has(stored) ? family.optionalPrefix + stored : stored;
    const plan = byName.get(withPrefix);
    if (plan) {
      const shape = source.entry(stored)!.shape;
      if (seen.has(plan)) issues.push(`'${stored}' duplicates '${found.get(plan) ?? plan.hfName}'`);
      else if (shape.join() !== plan.hfShape.join()) issues.push(`'${stored}' in ${source.fileOf(stored)} has shape [${shape.join(', ')}], config.json implies [${plan.hfShape.join(', ')}]`);
      else found.set(plan, stored);
      seen.add(plan);
    } else if (!ignored.some((re) => re.test(stored) || re.test(withPrefix))) {
      issues.push(`unexpected tensor '${stored}' in ${source.fileOf(stored)}`);
    }
  }
  const missing = plans.filter((p) => !seen.has(p));
  if (missing.length) issues.unshift(`missing ${missing.map((p) => `'${p.hfName}'`).join(', ')}`);
  // oneLine: the stored names come from the file, and may hold line breaks.
  if (issues.length) throw new CheckpointError(`${where}: the tensors do not match config.json (${c.family}): ${oneLine(issues.join('; '))}`, 'mismatch', where);

  const weights = new Map<string, WeightValues>();
  for (const [plan, stored] of found) {
    fromHf(c, plan, rawOf(source.readWeight(stored, options))).forEach((data, i) => weights.set(plan.parts[i].name, fromRaw(data)));
  }
  assertWeightsMatch(c, weights, where);
  return weights;
}
