/**
 * @module definition
 * What an experiment is: arms (variants of the method, each a change to the base run spec),
 * each run over the same seeds, and the baselines measured beside one of them. An arm's
 * change is a partial spec document merged into the base spec, so an arm reads as the
 * difference it makes ("sampler: random").
 */
import { UserError } from '@carve/errors';

/** A partial run spec document: only the fields an arm changes. */
export type SpecPatch = Record<string, unknown>;

export interface Arm {
  /** Short and unique: 'method', 'sampler-random'. */
  name: string;
  /** What it varies, for grouping in tables: 'sampler', 'distillation'. The method's arm is 'method'. */
  ablation: string;
  /** One line for the results: what differs from the method. */
  description: string;
  patch: SpecPatch;
  /**
   * An arm whose patch changes only the search (and what follows it) is run on a copy of the
   * same seed's method run, so its super-network is the method's, not a retrained one.
   */
  reuseTraining?: boolean;
}

export interface ExperimentDefinition {
  name: string;
  description: string;
  /** The arms to run; the first is the method, which the baselines are measured beside. */
  arms(options: { quick: boolean }): Arm[];
  /** What the quick variant changes for every arm (fewer steps, documents, trials). */
  quickPatch: SpecPatch;
  /** The baselines section added to the method arm's spec. */
  baselines(options: { quick: boolean }): SpecPatch;
  /** Seeds when none are given. */
  seeds: readonly number[];
}

/** `patch` merged into `base`: objects recursively, anything else (arrays included) replaced. */
export function mergeSpec(base: SpecPatch, patch: SpecPatch): SpecPatch {
  const out: SpecPatch = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeSpec(current, value) : value;
  }
  return out;
}

const isObject = (v: unknown): v is SpecPatch => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An experiment asked for by a name it does not have, or with arms it cannot run. */
export class ExperimentError extends UserError {
  override readonly name = 'ExperimentError';
  constructor(message: string) {
    super(message, 'invalid_experiment');
  }
}
