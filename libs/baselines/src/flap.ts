/**
 * @module flap
 * FLAP (An et al., "Fluctuation-based Adaptive Structured Pruning for Large Language
 * Models", AAAI 2024), retraining-free. A unit (a head, an MLP neuron) matters by how much
 * what it feeds the output projection fluctuates: the variance of each input feature of
 * the projection over calibration tokens times the squared norm of the weight row it
 * multiplies. Scores are standardized per layer and per module, so one global threshold
 * can compare heads with neurons and layer with layer (the paper's adaptive structure,
 * AL-AM), and the lowest are removed until the model fits the target's parameter count. What
 * a removed unit fed on average goes into the projection's bias (bias compensation), which is
 * FLAP's substitute for retraining.
 *
 * Departures from the reference code, each for a reason: parameter costs are exact per unit
 * (the reference code weighs a head as 512/3 neurons, LLaMA-7B's ratio) and the removal is
 * greedy to the target instead of a threshold near it, so `params ≤ target` holds; a head's
 * score is the sum of its features' scores, standardized over the layer's heads (the
 * reference code standardizes per feature, then averages over each head's features), so a
 * head is ranked as one unit; every layer keeps at least one head unit and one neuron, where
 * the reference code may empty a module.
 *
 * FLAP keeps every layer and the whole embedding, so the target's shape is not followed, only
 * its parameter count. A target below the smallest model FLAP can make (one head unit and one
 * neuron per layer, biases included) gets that smallest model; PrunedModel.params shows it.
 */
import { descendingOrder, HeadOrder, ImportanceOrders, permuteModel } from '@carve/importance';
import {
  assertSubNetwork,
  assertWeightsMatch,
  Checkpoint,
  countParams,
  extractSubNetwork,
  float32Of,
  headsOf,
  isMultiHead,
  mlpHiddenOf,
  ModelConfig,
  paramSpecs,
  queryGroupsOf,
  SubNetwork,
  WeightValues,
} from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { BaselineContext, BaselineError, PrunedModel, PruningBaseline, requireCalibration } from './baseline';
import { projectionInputStatistics, ProjectionInputStatistics } from './statistics';

export interface FlapOptions {
  /** Fold the mean of what each removed unit fed into its projection's bias. @default true */
  compensate?: boolean;
  /** Calibration sequences per run. @default 8 */
  batchSize?: number;
  /** Compare units by their scores standardized per layer and module (the paper's AL-AM), else by raw scores. @default true */
  standardize?: boolean;
}

/** Fluctuation per unit, in the original model's indices. */
export interface FluctuationScores {
  /** Per layer, per KV group, per query in the group (under MHA a group is one head). */
  heads: number[][][];
  /** Per layer, per MLP neuron. */
  neurons: number[][];
}

/** What FLAP keeps, before any weights move. */
export interface FlapStructure {
  /** The config the pruned model is cut from: the model's, with biases on when compensation needs them. */
  config: ModelConfig;
  /** Orders that put each layer's kept units first (most fluctuating first), the pruned after. */
  orders: ImportanceOrders;
  /** Every layer, with its kept heads and neurons, as a sub-network of `config` after `orders`. */
  subNetwork: SubNetwork;
  /** Parameters of the pruned model. */
  params: number;
  /** Whether the removed units' means go into the biases: compensation was asked for and something is removed. */
  compensate: boolean;
  kept: PrunedModel['kept'];
}

/** The MLP projection that reads the neurons: down (SwiGLU) or proj (GELU). */
function mlpOutput(c: ModelConfig): 'down' | 'proj' {
  return c.mlp === 'swiglu' ? 'down' : 'proj';
}

/** variance_j · ‖W[j, :]‖² for each input feature j of the [in, out] weight. */
function featureFluctuation(variance: Float64Array, weight: Float32Array, out: number): Float64Array {
  const scores = new Float64Array(variance.length);
  for (let j = 0; j < variance.length; j++) {
    let norm = 0;
    for (let o = j * out; o < (j + 1) * out; o++) norm += weight[o] * weight[o];
    scores[j] = variance[j] * norm;
  }
  return scores;
}

/** Each head's and neuron's fluctuation: a neuron's is its feature's, a head's the sum over its headSize features. */
export function fluctuationScores(model: Checkpoint, stats: ProjectionInputStatistics): FluctuationScores {
  const c = model.config;
  const hs = c.headSize;
  const weight = (name: string) => {
    const w = model.weights.get(name);
    if (!w) throw new BaselineError(`baseline 'flap': model '${c.name}' has no parameter '${name}'`);
    return float32Of(w);
  };
  const heads: number[][][] = [];
  const neurons: number[][] = [];
  for (let l = 0; l < c.nLayer; l++) {
    const features = featureFluctuation(stats.attn[l].variance(), weight(`layers.${l}.attn.o.weight`), c.nEmbd);
    const groups = queryGroupsOf(c, l);
    const perGroup = headsOf(c, l) / groups;
    heads.push(
      Array.from({ length: groups }, (_, g) =>
        Array.from({ length: perGroup }, (_, q) => features.subarray((g * perGroup + q) * hs, (g * perGroup + q + 1) * hs).reduce((a, b) => a + b, 0)),
      ),
    );
    neurons.push(Array.from(featureFluctuation(stats.mlp[l].variance(), weight(`layers.${l}.mlp.${mlpOutput(c)}.weight`), c.nEmbd)));
  }
  return { heads, neurons };
}

/** (s − mean) / std with the sample std, as torch.std; all zeros where the scores do not spread (one unit, or all equal). */
function standardized(scores: readonly number[]): number[] {
  const n = scores.length;
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1)) : 0;
  return scores.map((s) => (std > 0 ? (s - mean) / std : 0));
}

/**
 * The config with the biases compensation writes into: attention output and MLP projections
 * (`bias`), and for the llama family q, k and v too, since Hugging Face's attention_bias
 * covers q, k, v and o together (the extra biases stay zero).
 */
function withBiases(c: ModelConfig): ModelConfig {
  if (c.bias) return c;
  return { ...c, bias: true, qkvBias: c.family === 'llama' ? true : c.qkvBias };
}

/** A prunable module of one layer: its units ranked best first, each unit `width` heads or one neuron. */
interface Module {
  layer: number;
  kind: 'heads' | 'neurons';
  /** Unit scores, best first (non-increasing). */
  scores: number[];
  /** Heads (or neurons) per unit. */
  width: number;
  /** Units kept so far: always the leading ones. */
  count: number;
  /** Parameters one unit costs in this layer. */
  cost: number;
}

/**
 * Which units FLAP keeps in a model of config `c` to fit `targetParams`, given their scores: per layer, head units and neurons
 * are ranked by their fluctuation, and the units of lowest (standardized) score across all
 * layers and both modules are removed, each at its exact parameter cost, until the pruned
 * model has at most `targetParams` parameters or only one head unit and one neuron are left
 * per layer. Under GQA a head unit is one query in every KV group (so each layer's query
 * count stays a multiple of the groups): each group ranks its own queries, and unit k scores
 * the sum of the groups' k-th best. Under MHA a unit is one head with its keys and values.
 * A model that already fits is not pruned and gets no new biases.
 */
export function flapStructure(c: ModelConfig, scores: FluctuationScores, targetParams: number, options: { compensate?: boolean; standardize?: boolean } = {}): FlapStructure {
  const compensate = countParams(c) > targetParams && (options.compensate ?? true);
  const config = compensate ? withBiases(c) : c;
  const mha = isMultiHead(c);
  const queryOrders = scores.heads.map((groups) => groups.map((queries) => descendingOrder(queries)));
  // Under MHA heads compete across the layer; under GQA each group's queries are ranked within it.
  const headOrders: HeadOrder[] = scores.heads.map((groups, l) => {
    if (!mha) return { groups: groups.map((_, g) => g), queries: queryOrders[l] };
    const order = descendingOrder(groups.map((queries) => queries[0]));
    return { groups: order, queries: order.map(() => [0]) };
  });
  const neuronOrders = scores.neurons.map((n) => descendingOrder(n));

  const modules: Module[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    const unitScores = mha
      ? headOrders[l].groups.map((h) => scores.heads[l][h][0])
      : queryOrders[l][0].map((_, k) => scores.heads[l].reduce((sum, queries, g) => sum + queries[queryOrders[l][g][k]], 0));
    const width = mha ? 1 : queryGroupsOf(c, l);
    modules.push({ layer: l, kind: 'heads', scores: unitScores, width, count: unitScores.length, cost: 0 });
    modules.push({ layer: l, kind: 'neurons', scores: neuronOrders[l].map((n) => scores.neurons[l][n]), width: 1, count: neuronOrders[l].length, cost: 0 });
  }
  const shape = (): SubNetwork => ({
    embedDim: c.nEmbd,
    headSize: c.headSize,
    layers: Array.from({ length: c.nLayer }, (_, l) => ({ index: l, heads: modules[2 * l].count * modules[2 * l].width, mlpHidden: modules[2 * l + 1].count })),
  });
  let params = countParams(config, shape());
  // Every parameter count is linear in each layer's heads and neurons, so one unit's cost is a difference of two exact counts.
  for (const m of modules) {
    if (m.count < 2) continue;
    m.count--;
    m.cost = params - countParams(config, shape());
    m.count++;
  }

  const candidates = modules
    .flatMap((m) => (options.standardize ?? true ? standardized(m.scores) : m.scores).map((score, rank) => ({ m, rank, score })))
    .filter((u) => u.rank > 0) // the best unit of each module always stays
    // Within a module scores do not increase with rank, so lowest first with ties by rank from the back removes each module's last unit first.
    .sort((a, b) => a.score - b.score || b.rank - a.rank || a.m.layer - b.m.layer || a.m.kind.localeCompare(b.m.kind));
  for (const u of candidates) {
    if (params <= targetParams) break;
    if (u.rank !== u.m.count - 1) throw new Error(`flap: layer ${u.m.layer} ${u.m.kind} would lose unit ${u.rank} while keeping ${u.m.count}`);
    u.m.count--;
    params -= u.m.cost;
  }

  const subNetwork = shape();
  const kept: PrunedModel['kept'] = {
    layers: subNetwork.layers.map((l) => l.index),
    heads: headOrders.map((o, l) => {
      const units = modules[2 * l].count;
      if (mha) return o.groups.slice(0, units);
      const perGroup = headsOf(c, l) / queryGroupsOf(c, l);
      return o.groups.flatMap((g) => o.queries[g].slice(0, units).map((q) => g * perGroup + q));
    }),
    neurons: neuronOrders.map((o, l) => o.slice(0, modules[2 * l + 1].count)),
    channels: c.nEmbd,
  };
  const identity = (n: number) => Array.from({ length: n }, (_, i) => i);
  const orders: ImportanceOrders = { channels: identity(c.nEmbd), heads: headOrders, neurons: neuronOrders, layers: identity(c.nLayer) };
  return { config, orders, subNetwork, params, compensate, kept };
}

/** bias (or zeros) + Σ_j mean_j · W[j, :] over the removed input features j of the [in, out] weight. */
function compensatedBias(bias: WeightValues | undefined, weightValues: WeightValues, out: number, removed: Iterable<number>, mean: Float64Array): Float32Array {
  const sum = bias ? Float64Array.from(float32Of(bias)) : new Float64Array(out);
  const weight = float32Of(weightValues);
  for (const j of removed) for (let o = 0; o < out; o++) sum[o] += mean[j] * weight[j * out + o];
  return Float32Array.from(sum);
}

/**
 * The model's weights for `structure.config`, with the biases of every layer's output
 * projections compensated for the removed units (original indices, before any permutation)
 * and every bias the model lacked as zeros. The model's own arrays are not modified.
 */
function compensatedWeights(model: Checkpoint, structure: FlapStructure, stats: ProjectionInputStatistics): Map<string, WeightValues> {
  const c = model.config;
  const weights = new Map<string, WeightValues>(model.weights);
  for (const spec of paramSpecs(structure.config)) {
    if (!weights.has(spec.name)) weights.set(spec.name, new Float32Array(spec.shape.reduce((a, b) => a * b, 1)));
  }
  const hs = c.headSize;
  const removed = (all: number, kept: readonly number[]) => {
    const keep = new Set(kept);
    return Array.from({ length: all }, (_, i) => i).filter((i) => !keep.has(i));
  };
  for (let l = 0; l < c.nLayer; l++) {
    const features = removed(headsOf(c, l), structure.kept.heads[l]).flatMap((h) => Array.from({ length: hs }, (_, d) => h * hs + d));
    const o = `layers.${l}.attn.o`;
    weights.set(`${o}.bias`, compensatedBias(model.weights.get(`${o}.bias`), weights.get(`${o}.weight`)!, c.nEmbd, features, stats.attn[l].mean));
    const down = `layers.${l}.mlp.${mlpOutput(c)}`;
    const neurons = removed(mlpHiddenOf(c, l), structure.kept.neurons[l]);
    weights.set(`${down}.bias`, compensatedBias(model.weights.get(`${down}.bias`), weights.get(`${down}.weight`)!, c.nEmbd, neurons, stats.mlp[l].mean));
  }
  return weights;
}

/** Checks what the options cannot type: FlapOptions may come from code, not only through the plugin's schema. */
function checkedOptions(options: FlapOptions): Required<FlapOptions> {
  const o = { compensate: options.compensate ?? true, batchSize: options.batchSize ?? 8, standardize: options.standardize ?? true };
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new BaselineError(`baseline 'flap': batch size must be a positive integer, got ${o.batchSize}`);
  return o;
}

/**
 * FLAP as a pruning baseline: statistics of every output projection's input on the context's
 * calibration text, fluctuation scores, the adaptive structure that fits the target's
 * parameter count, and (with `compensate`) bias compensation. The result keeps every layer
 * and the embedding; its layers may differ in width (layerHeads / layerMlpHidden).
 */
export function flapBaseline(options: FlapOptions = {}): PruningBaseline {
  const o = checkedOptions(options);
  return {
    name: 'flap',
    needsCalibration: true,
    async prune(model: Checkpoint, target: SubNetwork, context: BaselineContext): Promise<PrunedModel> {
      const c = model.config;
      assertSubNetwork(c, target);
      const calibration = requireCalibration('flap', model, context);
      const stats = await projectionInputStatistics(model, calibration, { batchSize: o.batchSize, runtime: context.runtime });
      const structure = flapStructure(c, fluctuationScores(model, stats), countParams(c, target), o);
      const weights = structure.compensate ? compensatedWeights(model, structure, stats) : model.weights;
      const sorted = permuteModel({ config: structure.config, weights }, structure.orders).model;
      const checkpoint = extractSubNetwork(sorted, structure.subNetwork, { name: `${c.name}-flap` });
      assertWeightsMatch(checkpoint.config, checkpoint.weights, `baseline 'flap' on '${c.name}'`);
      const params = countParams(checkpoint.config);
      if (params !== structure.params || checkpoint.config.nLayer !== c.nLayer) {
        throw new Error(`flap: the pruned '${c.name}' has ${params} parameters in ${checkpoint.config.nLayer} layers, the structure ${structure.params} in ${c.nLayer}`);
      }
      return { checkpoint, params, kept: structure.kept };
    },
  };
}

export const flapPlugin = definePlugin({
  kind: 'baseline',
  name: 'flap',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'FLAP: heads and neurons of lowest fluctuation (input variance × squared weight norm), standardized per layer and module, removed across layers to the target size, with bias compensation; no retraining',
  options: z.object({
    compensate: z.boolean().default(true),
    batchSize: z.number().int().positive().default(8),
    standardize: z.boolean().default(true),
  }),
  create: (options): PruningBaseline => flapBaseline(options),
});
