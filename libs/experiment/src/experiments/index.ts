/**
 * @module experiments
 * The experiments `carve experiment NAME` knows.
 */
import { ExperimentDefinition, ExperimentError } from '../definition';
import { paperExperiment } from './paper';

export const EXPERIMENTS: readonly ExperimentDefinition[] = [paperExperiment];

/** The experiment named `name`; an unknown name lists the known ones. */
export function getExperiment(name: string): ExperimentDefinition {
  const found = EXPERIMENTS.find((e) => e.name === name);
  if (!found) throw new ExperimentError(`unknown experiment '${name}' (known: ${EXPERIMENTS.map((e) => e.name).join(', ')})`);
  return found;
}
