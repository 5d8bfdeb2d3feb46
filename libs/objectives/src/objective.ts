/**
 * @module objective
 * The objective contract: a named quantity of a sub-network that the search minimizes or
 * maximizes, and what objectives are built from.
 */
import { Runtime, UserError } from '@carve/engine';
import { TaskContext, TaskOrGroup } from '@carve/evaluation';
import { Checkpoint, LoraConfig, ModelConfig, SubNetwork, Tokenizer } from '@carve/model';
import { SearchSpace } from '@carve/search-space';

/** An objective's value with what else was measured to get it (recorded with the trial). */
export interface Measurement {
  value: number;
  /** Other figures and the settings they were measured under (p90, device, threads...). */
  details?: Record<string, number | string>;
}

export interface Objective {
  readonly name: string;
  readonly direction: 'minimize' | 'maximize';
  /** The value for one sub-network; may be costly (a validation pass), hence the promise. */
  evaluate(s: SubNetwork): number | Measurement | Promise<number | Measurement>;
  /**
   * For an estimate (a predicted latency): the quantity measured directly, with which a
   * search re-measures the members it keeps.
   */
  readonly measured?: Objective;
}

/** What objectives are built for; each objective takes what it needs and says what is missing. */
export interface ObjectiveContext {
  config: ModelConfig;
  /** The weights (importance-sorted when the search runs on a sorted model). */
  model?: Checkpoint;
  /** The super-network's trained adapters, applied to every sub-network. */
  lora?: { config: LoraConfig; adapters: ReadonlyMap<string, Float32Array> };
  /** Held-out token ids for loss, perplexity and KL. */
  validation?: readonly number[];
  /** The space being searched (a latency predictor trains on its members). */
  space?: SearchSpace;
  /** The model's tokenizer, for objectives that score text (task accuracy). */
  tokenizer?: Tokenizer;
  /**
   * Creates a task plugin by name (the run's registry, so plugin packages' tasks too).
   * @default the built-in tasks
   */
  createTask?: (name: string, options: unknown) => TaskOrGroup;
  /** Where tasks find data their options do not name. */
  taskContext?: TaskContext;
  /** Sessions for objectives that run the model. */
  runtime?: Runtime;
  /** Seed for objectives that draw anything. @default 0 */
  seed?: number;
}

/** An objective's result as a Measurement, whatever form `evaluate` returned. */
export async function measure(objective: Objective, s: SubNetwork): Promise<Measurement> {
  const result = await objective.evaluate(s);
  return typeof result === 'number' ? { value: result } : result;
}

/** An objective asked for what its context lacks (weights, held-out text, a space). */
export class ObjectiveContextError extends UserError {
  constructor(message: string) {
    super(message, 'OBJECTIVE_CONTEXT');
  }
}
