/**
 * @module scorer
 * Importance scorers as plugin-shaped definitions (a name, a version, default options and a
 * function from a model and calibration data to scores), so the plugin registry can take
 * them over as the kind 'importance' without changing their callers.
 */
import { Checkpoint } from '@carve/model';
import { CalibrationSet } from './calibration';
import { MagnitudeOptions, scoreMagnitude } from './magnitude';
import { ImportanceScores, scoreImportance, ScoringError, ScoringOptions } from './scoring';

export interface ImportanceScorer<Options> {
  readonly name: string;
  readonly version: string;
  /** One line for listings and errors. */
  readonly description: string;
  readonly defaults: Options;
  /** Scores `model`; without `options` the scorer's `defaults` apply. */
  score(model: Checkpoint, calibration: CalibrationSet, options?: Options): Promise<ImportanceScores>;
}

/** Any built-in scorer: their option types differ, so a list of them is a union. */
export type BuiltinImportanceScorer = ImportanceScorer<ScoringOptions> | ImportanceScorer<MagnitudeOptions>;

/** Activation statistics of heads, neurons and channels, with block or drop-one-layer layer scores. */
export const activationScorer: ImportanceScorer<ScoringOptions> = {
  name: 'activation',
  version: '1.0.0',
  description: 'activation statistics (mean-abs, l2, variance) of heads, neurons and channels; block importance or loss increase for layers',
  defaults: { statistic: 'mean-abs', layerScoring: 'block', batchSize: 8 },
  score: (model, calibration, options = activationScorer.defaults) => scoreImportance(model, calibration, options),
};

/** Weight norms of heads, neurons, channels and layers (see scoreMagnitude); the calibration set is not read. */
export const magnitudeScorer: ImportanceScorer<MagnitudeOptions> = {
  name: 'magnitude',
  version: '1.0.0',
  description: 'data-free weight magnitude (l1 or l2 norm of the weights each head, neuron, channel and layer owns)',
  defaults: { norm: 'l2' },
  score: async (model, _calibration, options = magnitudeScorer.defaults) => scoreMagnitude(model, options),
};

/** `scorer` with `options` as its defaults: what a plugin instance is. */
export function bindScorer<Options>(scorer: ImportanceScorer<Options>, options: Options): ImportanceScorer<Options> {
  return { ...scorer, defaults: options, score: (model, calibration, given = options) => scorer.score(model, calibration, given) };
}

/** Every built-in scorer, in listing order. */
export const SCORERS: readonly BuiltinImportanceScorer[] = [activationScorer, magnitudeScorer];

/** The scorer named `name`; an unknown name lists the known ones. */
export function getScorer(name: string): BuiltinImportanceScorer {
  const scorer = SCORERS.find((s) => s.name === name);
  if (!scorer) throw new ScoringError(`unknown importance scorer '${name}' (known: ${SCORERS.map((s) => s.name).join(', ')})`);
  return scorer;
}
