/**
 * @module baseline
 * The contract of a pruning baseline (plugin kind 'baseline'): a method that makes a smaller
 * model of a given size from a pretrained one without the super-network, for comparison
 * with the searched front. A baseline is given a target (a sub-network of the model, usually
 * a front member's shape) and returns a standalone model: of exactly that shape when the
 * method prunes widths, of about its parameter count when it cannot (depth pruning keeps
 * whole layers, FLAP keeps the embedding).
 */
import { Runtime, UserError } from '@carve/engine';
import { CalibrationSet } from '@carve/importance';
import { Checkpoint, SubNetwork } from '@carve/model';

/** What a baseline may use besides the model. */
export interface BaselineContext {
  /** Calibration windows, for the methods that need activation statistics. */
  calibration?: CalibrationSet;
  /** Where the statistics graphs run. @default a new CPU runtime */
  runtime?: Runtime;
}

/** A pruned model and how it was made. */
export interface PrunedModel {
  checkpoint: Checkpoint;
  /** Parameters of `checkpoint`. */
  params: number;
  /**
   * What the method kept, in the original model's indices, for the record: the layers, and
   * per kept layer the query heads (as `group * queriesPerGroup + query`) and MLP neurons.
   */
  kept: { layers: number[]; heads: number[][]; neurons: number[][]; channels: number };
}

export interface PruningBaseline {
  readonly name: string;
  /** Whether `prune` needs `context.calibration`. */
  readonly needsCalibration: boolean;
  /** A model pruned from `model` to the shape (or the parameter count) of `target`, a sub-network of `model`. */
  prune(model: Checkpoint, target: SubNetwork, context: BaselineContext): Promise<PrunedModel>;
}

/** A baseline asked for something it cannot do: the message names the baseline and the model. */
export class BaselineError extends UserError {
  override readonly name = 'BaselineError';
  constructor(message: string) {
    super(message, 'invalid_baseline');
  }
}

/** The calibration set, or a BaselineError saying that `baseline` needs one. */
export function requireCalibration(baseline: string, model: Checkpoint, context: BaselineContext): CalibrationSet {
  if (!context.calibration) throw new BaselineError(`baseline '${baseline}' needs calibration text to prune '${model.config.name}' (activation statistics); none was given`);
  return context.calibration;
}
