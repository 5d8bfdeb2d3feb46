/**
 * @module objective
 * The objective contract: a named quantity of a sub-network that the search minimizes or
 * maximizes. The search issue adds loss, KL and measured latency; parameters and FLOPs are
 * here already because samplers and reports need them.
 */
import { Checkpoint, ModelConfig, SubNetwork } from '@carve/model';

export interface Objective {
  readonly name: string;
  readonly direction: 'minimize' | 'maximize';
  /** The value for one sub-network; may be costly (a validation pass), hence the promise. */
  evaluate(s: SubNetwork): number | Promise<number>;
}

/** What objectives are built for. */
export interface ObjectiveContext {
  config: ModelConfig;
  /** The weights, for objectives that run the model. */
  model?: Checkpoint;
}
