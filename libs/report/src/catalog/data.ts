/**
 * @module catalog/data
 * What the catalog's index page shows of each run.
 */
import { ObjectiveSpec } from '../run/data';

/** One run of the catalog, as its index row and its front. */
export interface IndexRun {
  /** The run's id; its report is at `runs/<id>/report.html` next to the index. */
  id: string;
  model: string;
  status: string;
  /** When the run was created (an ISO date). */
  created: string;
  /** The search's objectives; runs whose first two agree share an overlay plot. */
  objectives: ObjectiveSpec[];
  /** The members of the run's Pareto front: trial index and objective values by name. */
  front: { index: number; objectives: Record<string, number> }[];
  /** The front's hypervolume against the run's fixed reference point, when computed. */
  hypervolume?: number;
}
