/**
 * @module steps/search/step
 * The search step: a multi-objective search over a (trained) super-network's sub-networks
 * with a strategy and objectives from the registry, in one folder. search.json (settings
 * and trial log) is rewritten atomically after every trial, so a search that stopped or
 * was killed continues by replaying it without evaluating a finished trial again; at the
 * end trials.json and front.json. `carve search` and the pipeline's search stage both run it.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { countParams, ModelConfig, SubNetwork, writeJsonAtomic } from '@carve/model';
import { measure, Objective } from '@carve/objectives';
import { Optimizer, OptimizerOptions, Strategy, StrategyContext, subNetworkDomain, Trial } from '@carve/optimizer';
import { PluginRegistry } from '@carve/registry';
import { SearchStepError } from './errors';
import { objectiveContext, SearchInputs } from './inputs';
import { changedSearchSettings, changedSearchSettingsMessage, FRONT_JSON, readSearchRecord, SEARCH_JSON, SearchRecord, SearchStepSettings, TRIALS_JSON } from './record';
import { remeasureFront, RemeasureHook } from './remeasure';
import { trialRecord } from './report';

export interface SearchStepOptions extends Omit<SearchInputs, 'threads' | 'seed'> {
  /** Resolves the strategy and the objectives (built-ins and plugins). */
  registry: PluginRegistry;
  strategy: string;
  strategyOptions?: unknown;
  /** In order; `options` go to the objective's plugin. */
  objectives: { name: string; options?: unknown }[];
  /** @default none */
  constraints?: SearchStepSettings['constraints'];
  /** Trials in all, anchors included. */
  budget: number;
  /** @default 0 */
  seed?: number;
  /** Hypervolume reference, one value per objective. @default fixed from the anchors */
  reference?: number[];
  /** Start from the largest, smallest and a middle network. @default true */
  anchors?: boolean;
  /** @default 1 */
  threads?: number;
  /**
   * What the caller's inputs were (paths, the space's name and options): recorded in
   * search.json beside the step's own settings, so a resume with other inputs is refused.
   */
  inputs?: Record<string, unknown>;
  /** Recorded in a new search.json (a resumed one keeps its own): package versions. */
  versions?: Record<string, string>;
  /** Start over even when the folder holds a search. @default false: continue it */
  restart?: boolean;
}

export interface SearchStepHooks {
  /** After each new trial is recorded: `done` of `total` (the budget) trials. */
  onTrial?(trial: Trial<SubNetwork>, done: number, total: number): void;
  /** Once the budget is spent, with the front about to be re-measured. */
  onTrialsDone?(front: readonly Trial<SubNetwork>[]): void;
  /** After each front member is re-measured on the estimated objectives. */
  onRemeasure?: RemeasureHook;
  /** Stop once this many trials are done (continue by running the step again). */
  stopAfter?: number;
}

export interface SearchStepResult {
  /** Whether `stopAfter` ended it before its budget: then trials.json and front.json are not written. */
  stopped: boolean;
  /** Where the settings and trial log are. */
  file: string;
  objectives: { name: string; direction: 'minimize' | 'maximize' }[];
  trials: readonly Trial<SubNetwork>[];
  /** The feasible Pareto front, by the first objective. */
  front: Trial<SubNetwork>[];
  /** Per front member, the measured values of the estimated objectives (none: undefined). */
  remeasured: (Record<string, number> | undefined)[];
  hypervolume: number;
  reference?: number[];
}

/**
 * Runs (or continues) the search in `folder`. A search.json already there is continued
 * when its settings match (a different `threads` is allowed) and refused with a
 * SearchStepError 'resume_mismatch' otherwise; `restart` starts over instead.
 */
export async function runSearchStep(options: SearchStepOptions, folder: string, hooks: SearchStepHooks = {}): Promise<SearchStepResult> {
  const settings = { ...options.inputs, ...stepSettings(options) };
  const file = nodePath.join(folder, SEARCH_JSON);
  const record = options.restart ? undefined : readSearchRecord(file);
  const changed = record ? changedSearchSettings(record.settings, settings) : [];
  if (changed.length) throw new SearchStepError(changedSearchSettingsMessage(file, changed), 'resume_mismatch');

  const context = await objectiveContext({ ...options, threads: settings.threads, seed: settings.seed });
  try {
    const objectives = options.objectives.map((o) => options.registry.create<Objective>('objective', o.name, o.options ?? {}, context));
    // A resumed search replays its log through a fresh strategy: no finished trial is evaluated again.
    const optimizer = record ? Optimizer.resume(optimizerOptions(options, settings, objectives), record.state) : new Optimizer(optimizerOptions(options, settings, objectives));
    fs.mkdirSync(folder, { recursive: true });
    const saved: Omit<SearchRecord, 'state'> = { format: 1, settings, versions: record?.versions ?? options.versions ?? {} };
    const save = () => writeJsonAtomic(file, { ...saved, state: optimizer.state() });
    save();
    const result = (stopped: boolean, remeasured: (Record<string, number> | undefined)[]): SearchStepResult => ({
      stopped, file, objectives: objectives.map((o) => ({ name: o.name, direction: o.direction })), trials: optimizer.trials,
      front: optimizer.front(), remeasured, hypervolume: optimizer.hypervolume(), reference: optimizer.reference,
    });

    for (let choice = optimizer.ask(); choice !== undefined; choice = optimizer.ask()) {
      const trial = optimizer.tell(choice, ...(await evaluate(choice, objectives, context.config)));
      save();
      hooks.onTrial?.(trial, trial.index + 1, settings.budget);
      const done = optimizer.trials.length;
      if (hooks.stopAfter !== undefined && done >= hooks.stopAfter && done < settings.budget) return result(true, optimizer.front().map(() => undefined));
    }
    const front = optimizer.front();
    hooks.onTrialsDone?.(front);
    const remeasured = await remeasureFront(front, objectives, hooks.onRemeasure);
    writeJsonAtomic(nodePath.join(folder, TRIALS_JSON), optimizer.trials.map((t) => trialRecord(t, settings.objectives)));
    writeJsonAtomic(nodePath.join(folder, FRONT_JSON), {
      objectives: objectives.map((o) => ({ name: o.name, direction: o.direction })),
      constraints: settings.constraints,
      reference: optimizer.reference,
      hypervolume: optimizer.hypervolume(),
      members: front.map((t, i) => ({ ...trialRecord(t, settings.objectives), ...(remeasured[i] ? { remeasured: remeasured[i] } : {}) })),
    });
    return result(false, remeasured);
  } finally {
    await context.runtime.dispose();
  }
}

/** The step's own settings as search.json records them. */
function stepSettings(o: SearchStepOptions): SearchStepSettings {
  return {
    strategy: o.strategy,
    strategyOptions: o.strategyOptions,
    objectives: o.objectives.map((x) => x.name),
    objectiveOptions: Object.fromEntries(o.objectives.filter((x) => x.options !== undefined).map((x) => [x.name, x.options])),
    constraints: o.constraints ?? [],
    budget: o.budget,
    seed: o.seed ?? 0,
    reference: o.reference,
    anchors: o.anchors ?? true,
    threads: o.threads ?? 1,
  };
}

function optimizerOptions(o: SearchStepOptions, s: SearchStepSettings, objectives: readonly Objective[]): OptimizerOptions<SubNetwork> {
  return {
    domain: subNetworkDomain(o.space),
    createStrategy: (ctx: StrategyContext<SubNetwork>) => o.registry.create<Strategy<SubNetwork>>('optimizer', s.strategy, s.strategyOptions ?? {}, ctx as StrategyContext<unknown>),
    objectives: objectives.map((x) => ({ name: x.name, direction: x.direction })),
    constraints: s.constraints,
    budget: s.budget,
    seed: s.seed,
    reference: s.reference,
    anchors: s.anchors,
    strategyName: s.strategy,
    strategyOptions: s.strategyOptions,
  };
}

/** Every objective's value for `choice`, and the details the trial records (its parameters, each objective's figures). */
async function evaluate(choice: SubNetwork, objectives: readonly Objective[], config: ModelConfig): Promise<[number[], Record<string, number | string>]> {
  const values: number[] = [];
  const details: Record<string, number | string> = { params: countParams(config, choice) };
  for (const objective of objectives) {
    const m = await measure(objective, choice);
    values.push(m.value);
    for (const [key, value] of Object.entries(m.details ?? {})) details[`${objective.name}.${key}`] = value;
  }
  return [values, details];
}
