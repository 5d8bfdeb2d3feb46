/**
 * @module scorer
 * Importance scorers as plugin-shaped definitions (a name, a version, default options and a
 * function from a model and calibration data to scores), so the plugin registry can take
 * them over as the kind 'importance' without changing their callers.
 */
import { Checkpoint } from '@carve/model';
import { CalibrationSet } from './calibration';
import { ImportanceScores, scoreImportance, ScoringError, ScoringOptions } from './scoring';

export interface ImportanceScorer<Options> {
  readonly name: string;
  readonly version: string;
  /** One line for listings and errors. */
  readonly description: string;
  readonly defaults: Options;
  score(model: Checkpoint, calibration: CalibrationSet, options: Options): Promise<ImportanceScores>;
}

/** Activation statistics of heads, neurons and channels, with block or drop-one-layer layer scores. */
export const activationScorer: ImportanceScorer<ScoringOptions> = {
  name: 'activation',
  version: '1.0.0',
  description: 'activation statistics (mean-abs, l2, variance) of heads, neurons and channels; block importance or loss increase for layers',
  defaults: { statistic: 'mean-abs', layerScoring: 'block', batchSize: 8 },
  score: (model, calibration, options) => scoreImportance(model, calibration, options),
};

export const SCORERS: readonly ImportanceScorer<ScoringOptions>[] = [activationScorer];

/** The scorer named `name`; an unknown name lists the known ones. */
export function getScorer(name: string): ImportanceScorer<ScoringOptions> {
  const scorer = SCORERS.find((s) => s.name === name);
  if (!scorer) throw new ScoringError(`unknown importance scorer '${name}' (known: ${SCORERS.map((s) => s.name).join(', ')})`);
  return scorer;
}
