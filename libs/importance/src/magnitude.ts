/**
 * @module magnitude
 * Weight-magnitude importance: the data-free alternative to activation statistics, and the
 * "structured magnitude pruning" baseline of LLM-Pruner and Minitron. A unit's score is the
 * norm of every weight that pruning it removes, so it needs no calibration text.
 */
import { AxisKind, Checkpoint, float32Of, headsOf, mlpHiddenOf, ModelConfig, paramSpecs, queryGroupsOf } from '@carve/model';
import { ImportanceScores, ScoringError } from './scoring';

/** 'l1': Σ|w|; 'l2': √Σw². */
export type MagnitudeNorm = 'l1' | 'l2';

/** The norms scoreMagnitude knows, for option checks and listings. */
export const MAGNITUDE_NORMS: readonly MagnitudeNorm[] = ['l1', 'l2'];

export interface MagnitudeOptions {
  /** @default 'l2' */
  norm?: MagnitudeNorm;
}

/** Per-unit sums of |w| or w², before the square root of l2. */
interface Sums {
  channels: Float64Array;
  /** Per layer, flat over group × queryInGroup (the 'q' axis layout). */
  heads: Float64Array[];
  neurons: Float64Array[];
  layers: Float64Array;
}

/** Σ over all other axes of a 1-D or 2-D parameter, one array per axis. */
function axisSums(w: Float32Array, shape: readonly number[], square: boolean): Float64Array[] {
  if (shape.length === 1) return [Float64Array.from(w, (v) => (square ? v * v : Math.abs(v)))];
  if (shape.length !== 2) throw new Error(`magnitude: parameters of rank ${shape.length} are not supported`);
  const [n, m] = shape;
  const rows = new Float64Array(n);
  const cols = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < m; j++) {
      const v = w[i * m + j];
      const x = square ? v * v : Math.abs(v);
      row += x;
      cols[j] += x;
    }
    rows[i] = row;
  }
  return [rows, cols];
}

/** Adds the sums along one axis to the units that axis indexes. */
function addAxis(c: ModelConfig, sums: Sums, kind: AxisKind, s: Float64Array, layer: number | undefined): void {
  const hs = c.headSize;
  switch (kind) {
    case 'embed':
      s.forEach((x, i) => (sums.channels[i] += x));
      return;
    case 'mlp':
      s.forEach((x, i) => (sums.neurons[layer!][i] += x));
      return;
    case 'q':
      s.forEach((x, i) => (sums.heads[layer!][Math.floor(i / hs)] += x));
      return;
    case 'kv': {
      // A group's keys and values serve all its queries: spreading them evenly lets the
      // per-group sum that orders KV groups count them once.
      const perGroup = headsOf(c, layer!) / queryGroupsOf(c, layer!);
      s.forEach((x, i) => {
        const g = Math.floor(i / hs);
        for (let q = 0; q < perGroup; q++) sums.heads[layer!][g * perGroup + q] += x / perGroup;
      });
      return;
    }
    default:
      // Vocabulary and position rows are never pruned; LoRA ranks are not in a checkpoint.
      return;
  }
}

/** Every missing or mis-sized parameter, so a wrong checkpoint is reported at once. */
function weightIssues(model: Checkpoint): string[] {
  return paramSpecs(model.config).flatMap((spec) => {
    const w = model.weights.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!w) return [`no weights for '${spec.name}'`];
    return w.length === size ? [] : [`'${spec.name}' has ${w.length} values, expected ${size} ([${spec.shape.join(', ')}])`];
  });
}

/**
 * Scores every head, neuron, channel and layer of `model` by the norm of its weights (no
 * data). For every parameter and every axis indexing embedding channels, query features,
 * key/value features or MLP neurons, the slice at each index adds Σ|w| (l1) or Σw² (l2,
 * square-rooted at the end) to the unit it belongs to:
 * - channels[i]: column/row i of every weight reading or writing the residual stream (the
 *   token and position embeddings, the output head, q/k/v/gate/up/fc rows, o/down/proj
 *   columns and their biases) and element i of every norm's weight and bias;
 * - heads[l][g][q]: the q columns (and bias) and o rows of head (g, q), plus the k and v
 *   columns (and biases) of group g divided by the group's queries;
 * - neurons[l][i]: the gate/up/fc column (and bias) and down/proj row of neuron i;
 * - layers[l]: the norm of all of layer l's parameters. Magnitude says little about depth:
 *   depth pruning should rank layers by block importance (scoreImportance), not this.
 * Each weight thus counts toward one unit per prunable axis it lies on.
 */
export function scoreMagnitude(model: Checkpoint, options: MagnitudeOptions = {}): ImportanceScores {
  const c = model.config;
  const norm = options.norm ?? 'l2';
  const problems = MAGNITUDE_NORMS.includes(norm) ? [] : [`unknown norm '${String(norm)}' (known: ${MAGNITUDE_NORMS.join(', ')})`];
  problems.push(...weightIssues(model));
  if (problems.length) throw new ScoringError(`magnitude scoring of '${c.name}': ${problems.join('; ')}`);

  const square = norm === 'l2';
  const layers = Array.from({ length: c.nLayer }, (_, l) => l);
  const sums: Sums = {
    channels: new Float64Array(c.nEmbd),
    heads: layers.map((l) => new Float64Array(headsOf(c, l))),
    neurons: layers.map((l) => new Float64Array(mlpHiddenOf(c, l))),
    layers: new Float64Array(c.nLayer),
  };
  for (const spec of paramSpecs(c)) {
    const perAxis = axisSums(float32Of(model.weights.get(spec.name)!), spec.shape, square);
    spec.axes.forEach((kind, axis) => addAxis(c, sums, kind, perAxis[axis], spec.layer));
    if (spec.layer !== undefined) sums.layers[spec.layer] += perAxis[0].reduce((a, b) => a + b, 0);
  }

  const finish = (s: Float64Array): number[] => Array.from(s, (x) => (square ? Math.sqrt(x) : x));
  return {
    statistic: `magnitude-${norm}`,
    layerScoring: 'magnitude',
    heads: layers.map((l) => {
      const flat = finish(sums.heads[l]);
      const perGroup = headsOf(c, l) / queryGroupsOf(c, l);
      return Array.from({ length: queryGroupsOf(c, l) }, (_, g) => flat.slice(g * perGroup, (g + 1) * perGroup));
    }),
    neurons: sums.neurons.map(finish),
    channels: finish(sums.channels),
    layers: finish(sums.layers),
  };
}
