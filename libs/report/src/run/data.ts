/**
 * @module run/data
 * Everything a run's report shows, gathered by the caller from the run's folder (run.json,
 * trials.json, the sampler's grid, metrics.jsonl, the exported models and their task scores). Every section is
 * optional in practice: empty arrays and missing fields render as "no data" notes.
 */
import { Direction } from '../svg/scatter';

/** An objective of the search, as in `--objectives`. */
export interface ObjectiveSpec {
  /** The objective's name (`val-loss`, `latency`, `params`…), the key in every `objectives` record. */
  name: string;
  direction: Direction;
}

/** One evaluated sub-network of the search (a record of trials.json). */
export interface TrialData {
  /** The trial's position in the search, from 0. */
  index: number;
  /** Parameters of the sub-network, embeddings included. */
  params: number;
  /** Value of each objective by name, in its own units; non-finite values are skipped in plots. */
  objectives: Record<string, number>;
  /** Whether the trial is on the (feasible) Pareto front of all objectives. */
  onFront: boolean;
  /** A short description for tooltips, e.g. `E=64 L=5 h=8 hs=8 M=172`. */
  subNetwork?: string;
}

/** One exported model (a member of the front written out as a standalone model). */
export interface ExportedModel {
  name: string;
  params: number;
  /** Its objective values from the search, by objective name. */
  objectives: Record<string, number>;
  /** Measured after export, e.g. `{ loss, perplexity, latency }`; one column per key. */
  evaluation: Record<string, number>;
  /** Its files; `path` relative to the report, so the links work where the report lies. */
  files: { path: string; bytes: number }[];
}

/** One downstream task (lm-eval style), scored on the full model and on each exported model. */
export interface TaskData {
  name: string;
  /** Its primary metric: `acc`, `acc_norm` (higher is better) or `perplexity` (lower is better). */
  metric: string;
  /** Documents each model was scored on. */
  documents?: number;
  /** The uncompressed model's score; `params` when known. */
  full?: { value: number; stderr: number; params?: number };
  /** `ofFull` is `value` over the full model's (for perplexity its inverse), so 1 is as good as the full model. */
  models: { name: string; params: number; value: number; stderr: number; ofFull?: number }[];
}

/** The baselines measured at the exported models' sizes (the run's baselines stage). */
export interface BaselineData {
  original: { params: number; loss: number };
  fineTuneSteps: number;
  exported: { name: string; params: number; loss: number }[];
  /** `target` is the exported model whose size the baseline was pruned to. */
  models: { method: string; target: string; name: string; params: number; loss: number }[];
}

/** The input of `renderRunReport`. */
export interface RunReportData {
  run: {
    id: string;
    /** The compressed model's name or path. */
    model: string;
    /** e.g. `complete`, `running`, `failed`: shown as a badge. */
    status: string;
    /** When the run was created, as written in run.json (an ISO date). */
    created: string;
    /** Seconds spent in each stage (`importance`, `train`, `search`, `export`…), in order. */
    timings: Record<string, number>;
    /** The run's spec as given; shown as pretty JSON. */
    spec: unknown;
  };
  /** The search's objectives; the first is the y axis of every Pareto plot. */
  objectives: ObjectiveSpec[];
  trials: TrialData[];
  /** The parameter histogram of the sampler's grid, bins in order. */
  histogram?: { bins: { lo: number; hi: number; count: number }[] };
  /** From the trainer's metrics.jsonl: train loss per step, validation loss per evaluated network per evaluation. */
  training?: {
    train: { step: number; loss: number }[];
    eval: { step: number; losses: Record<string, number> }[];
  };
  exported: ExportedModel[];
  /** Downstream task scores, in the order they were evaluated; no section when absent or empty. */
  tasks?: TaskData[];
  /** No section when the run measured no baselines. */
  baselines?: BaselineData;
}
