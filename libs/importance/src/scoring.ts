/**
 * @module scoring
 * Importance scores from calibration data. Activations come from the model graph's taps
 * (extra outputs of the same graph, not a second implementation); the graph reduces them
 * over tokens to per-feature sums, which accumulate here in float64.
 */
import { F, Runtime, Tensor, UserError, Value } from '@carve/engine';
import { buildCheckpointGraph, Checkpoint, fullSubNetwork, headsOf, queryGroupsOf, SubNetwork, weightFeeds } from '@carve/model';
import { CalibrationSet } from './calibration';
import { Moments, Statistic, STATISTICS } from './statistics';

export type LayerScoring = 'block' | 'drop';

/**
 * What produced a set of scores: an activation statistic, or the weight norm of the
 * data-free magnitude scorer. Wider than Statistic because scoreImportance cannot compute
 * a magnitude, so its options keep the narrow type.
 */
export type ImportanceStatistic = Statistic | 'magnitude-l1' | 'magnitude-l2';

/** How the layer scores were made: LayerScoring, or 'magnitude' (each layer's weight norm). */
export type ImportanceLayerScoring = LayerScoring | 'magnitude';

export interface ScoringOptions {
  /** @default 'mean-abs' */
  statistic?: Statistic;
  /** 'block': 1 − mean cos(block input, block output); 'drop': loss increase without the layer. @default 'block' */
  layerScoring?: LayerScoring;
  /** Sequences per run. @default 8 */
  batchSize?: number;
  runtime?: Runtime;
  /** Called after each batch with the batches done and the total (drop scoring's loss passes included), for progress displays. */
  onProgress?: (done: number, total: number) => void;
}

/** Scores of every unit, higher is more important; scoreMagnitude fills the same fields with weight norms. */
export interface ImportanceScores {
  statistic: ImportanceStatistic;
  layerScoring: ImportanceLayerScoring;
  /** Per layer, per KV group, per query in the group: the statistic of the head's output norm per token. */
  heads: number[][][];
  /** Per layer: the statistic of each MLP neuron's pre-activation (the gate's for SwiGLU). */
  neurons: number[][];
  /** Per embedding channel: the statistic summed over every norm's output. */
  channels: number[];
  /** Per layer: block importance or loss increase when dropped. */
  layers: number[];
}

export class ScoringError extends UserError {
  override readonly name = 'ScoringError';
  constructor(message: string) {
    super(message, 'invalid_scoring');
  }
}

/** Sums over all but the last axis: Σa, Σ|a|, Σa² per feature of [N, F]. */
function featureSums(x: Value): [Value, Value, Value] {
  return [F.reduceSum(x, [0]), F.reduceSum(F.abs(x), [0]), F.reduceSum(F.mul(x, x), [0])];
}

/** Scores every head, neuron, channel and layer of `model` on the calibration set. */
export async function scoreImportance(model: Checkpoint, calibration: CalibrationSet, options: ScoringOptions = {}): Promise<ImportanceScores> {
  const c = model.config;
  const statistic = options.statistic ?? 'mean-abs';
  const layerScoring = options.layerScoring ?? 'block';
  const batchSize = options.batchSize ?? 8;
  const seqLen = calibration.record.seqLen;
  const problems: string[] = [];
  if (!STATISTICS.includes(statistic)) problems.push(`unknown statistic '${statistic}' (known: ${STATISTICS.join(', ')})`);
  if (layerScoring !== 'block' && layerScoring !== 'drop') problems.push(`unknown layer scoring '${String(layerScoring)}' (known: block, drop)`);
  if (seqLen > c.blockSize) problems.push(`sequence length ${seqLen} exceeds the model's context of ${c.blockSize} tokens`);
  if (!Number.isInteger(batchSize) || batchSize < 1) problems.push(`batch size must be a positive integer, got ${batchSize}`);
  if (problems.length) throw new ScoringError(`importance scoring of '${c.name}': ${problems.join('; ')}`);

  const runtime = options.runtime ?? new Runtime();
  try {
    const m = buildCheckpointGraph(model, { taps: true, seq: seqLen });
    const outputs: Record<string, Value> = {};
    const norms = [...m.taps.keys()].filter((k) => /norm_[12f]$/.test(k)); // every norm's output
    for (let l = 0; l < c.nLayer; l++) {
      const y = m.taps.get(`layers.${l}.attn.heads`)!; // [B, g, q, T, hs]
      const sq = F.reduceSum(F.mul(y, y), [-1]); // [B, g, q, T]: squared output norm per token
      outputs[`heads.${l}.sum`] = F.reduceSum(F.sqrt(sq), [0, 3]); // [g, q]
      outputs[`heads.${l}.sumSq`] = F.reduceSum(sq, [0, 3]);
      [outputs[`neurons.${l}.sum`], outputs[`neurons.${l}.sumAbs`], outputs[`neurons.${l}.sumSq`]] = featureSums(m.taps.get(`layers.${l}.mlp.pre`)!);
      const input = m.taps.get(`layers.${l}.in`)!;
      const output = m.taps.get(`layers.${l}.out`)!;
      const length = (x: Value) => F.sqrt(F.reduceSum(F.mul(x, x), [-1]));
      outputs[`block.${l}`] = F.reduceSum(F.div(F.reduceSum(F.mul(input, output), [-1]), F.add(F.mul(length(input), length(output)), 1e-12)));
    }
    norms.forEach((name, i) => ([outputs[`norm.${i}.sum`], outputs[`norm.${i}.sumAbs`], outputs[`norm.${i}.sumSq`]] = featureSums(m.taps.get(name)!)));
    m.graph.output(outputs);
    const session = await runtime.compile(m.graph);
    const feeds = weightFeeds(m, model.weights);

    const heads = Array.from({ length: c.nLayer }, (_, l) => new Moments(headsOf(c, l)));
    const neurons = Array.from({ length: c.nLayer }, (_, l) => new Moments(m.params.get(`layers.${l}.mlp.${c.mlp === 'swiglu' ? 'gate' : 'fc'}.weight`)!.shape[1] as number));
    const channels = norms.map(() => new Moments(c.nEmbd));
    const cosines = new Float64Array(c.nLayer);
    const batches = Math.ceil(calibration.sequences.length / batchSize);
    // Drop scoring adds a loss pass over the calibration set for the full model and each layer.
    const total = batches * (layerScoring === 'drop' ? c.nLayer + 2 : 1);
    let tokens = 0;
    for (let b = 0; b < batches; b++) {
      const rows = calibration.sequences.slice(b * batchSize, (b + 1) * batchSize);
      const ids = rows.flatMap((s) => s.slice(0, seqLen));
      const out = await session.run({ ...feeds, tokens: Tensor.from('int64', [rows.length, seqLen], ids) });
      const n = rows.length * seqLen;
      tokens += n;
      const get = (k: string) => out[k].data as Float32Array;
      for (let l = 0; l < c.nLayer; l++) {
        heads[l].add(get(`heads.${l}.sum`), get(`heads.${l}.sum`), get(`heads.${l}.sumSq`), n);
        neurons[l].add(get(`neurons.${l}.sum`), get(`neurons.${l}.sumAbs`), get(`neurons.${l}.sumSq`), n);
        cosines[l] += Number(get(`block.${l}`)[0]);
      }
      norms.forEach((_, i) => channels[i].add(get(`norm.${i}.sum`), get(`norm.${i}.sumAbs`), get(`norm.${i}.sumSq`), n));
      options.onProgress?.(b + 1, total);
    }
    await session.dispose();

    const groupsOf = (l: number) => queryGroupsOf(c, l);
    const result: ImportanceScores = {
      statistic,
      layerScoring,
      heads: heads.map((h, l) => {
        const flat = Array.from(h.finalize(statistic));
        const perGroup = headsOf(c, l) / groupsOf(l);
        return Array.from({ length: groupsOf(l) }, (_, g) => flat.slice(g * perGroup, (g + 1) * perGroup));
      }),
      neurons: neurons.map((x) => Array.from(x.finalize(statistic))),
      // The statistic of each norm's output, summed over the norms.
      channels: channels.map((x) => x.finalize(statistic)).reduce((sum, s) => sum.map((v, i) => v + s[i]), new Array<number>(c.nEmbd).fill(0)),
      layers:
        layerScoring === 'block'
          ? Array.from(cosines, (s) => 1 - s / tokens)
          : await dropScores(model, calibration, batchSize, runtime, (done) => options.onProgress?.(batches + done, total)),
    };
    return result;
  } finally {
    if (!options.runtime) await runtime.dispose();
  }
}

/** Loss increase on the calibration set when each layer is left out (a sub-network without it). */
async function dropScores(
  model: Checkpoint,
  calibration: CalibrationSet,
  batchSize: number,
  runtime: Runtime,
  onBatch: (done: number) => void,
): Promise<number[]> {
  let done = 0;
  const c = model.config;
  const full = fullSubNetwork(c);
  const loss = async (s: SubNetwork) => {
    const m = buildCheckpointGraph(model, { subNetwork: s, loss: true, seq: calibration.record.seqLen });
    m.graph.output({ loss: m.loss! });
    const session = await runtime.compile(m.graph);
    const feeds = weightFeeds(m, model.weights);
    let total = 0;
    const T = calibration.record.seqLen;
    for (let b = 0; b < calibration.sequences.length; b += batchSize) {
      const rows = calibration.sequences.slice(b, b + batchSize);
      const out = await session.run({
        ...feeds,
        tokens: Tensor.from('int64', [rows.length, T], rows.flatMap((r) => r.slice(0, T))),
        targets: Tensor.from('int64', [rows.length, T], rows.flatMap((r) => r.slice(1, T + 1))),
      });
      total += Number(out.loss.data[0]) * rows.length;
      onBatch(++done);
    }
    await session.dispose();
    return total / calibration.sequences.length;
  };
  const base = await loss(full);
  const scores: number[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    if (c.nLayer === 1) scores.push(0);
    else scores.push((await loss({ ...full, layers: full.layers.filter((x) => x.index !== l) })) - base);
  }
  return scores;
}
