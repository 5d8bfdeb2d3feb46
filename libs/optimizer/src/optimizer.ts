/**
 * @module optimizer
 * The ask/tell optimizer: it turns declared objective directions and constraints into the
 * minimized points and violations a strategy sees, evaluates the domain's anchors first,
 * never evaluates a member twice, keeps the budget, the trial log and the feasible front,
 * and resumes a saved search by replaying its log.
 */
import { Rng, UserError } from '@carve/engine';
import { hypervolume, hypervolumeEstimate } from './hypervolume';
import { dominates } from './pareto';
import { Domain, Evaluated, Strategy, StrategyContext } from './strategy';

export type Direction = 'minimize' | 'maximize';

export interface Objective {
  readonly name: string;
  readonly direction: Direction;
}

/** Bounds on one objective's value, in its declared units; a trial outside them is infeasible. */
export interface Constraint {
  readonly objective: string;
  readonly max?: number;
  readonly min?: number;
}

export interface OptimizerOptions<T> {
  readonly domain: Domain<T>;
  /** Called once, with the optimizer's generator: the strategy's only source of randomness. */
  readonly createStrategy: (ctx: StrategyContext<T>) => Strategy<T>;
  readonly objectives: readonly Objective[];
  /** @default none */
  readonly constraints?: readonly Constraint[];
  /** Evaluations in all, anchors included. */
  readonly budget: number;
  readonly seed: number;
  /**
   * The hypervolume's reference point in declared units, one value per objective.
   * @default fixed from the anchors' results (see {@link referenceFromAnchors})
   */
  readonly reference?: readonly number[];
  /** Evaluate the domain's anchors before anything the strategy proposes. @default true */
  readonly anchors?: boolean;
  /** Recorded in the saved state, so a resume with another strategy is refused. */
  readonly strategyName?: string;
  /** Recorded in the saved state, like `strategyName`. */
  readonly strategyOptions?: unknown;
}

export type Details = Record<string, number | string>;

/** One evaluation as the log keeps it. */
export interface Trial<T> {
  readonly index: number;
  readonly choice: T;
  /** In the objectives' declared order and directions. */
  readonly values: readonly number[];
  readonly details?: Details;
  /** Sum over constraints of the relative excess over the bound; 0 when feasible. */
  readonly violation: number;
  readonly feasible: boolean;
}

/** What a saved state keeps of a trial: everything else is recomputed on replay. */
export interface RecordedTrial<T> {
  readonly choice: T;
  readonly values: readonly number[];
  readonly details?: Details;
}

/** A search as plain JSON: its settings and its trial log. */
export interface SearchState<T> {
  readonly format: 1;
  readonly domain: string;
  readonly strategy: string | null;
  readonly strategyOptions: unknown;
  readonly seed: number;
  readonly budget: number;
  readonly objectives: readonly Objective[];
  readonly constraints: readonly Constraint[];
  /** In declared units; null until the anchors fixed it, when the options gave none. */
  readonly reference: readonly number[] | null;
  readonly anchors: boolean;
  readonly trials: readonly RecordedTrial<T>[];
}

/**
 * Codes: 'invalid_optimizer_options', 'invalid_tell', 'resume_mismatch' (saved settings
 * differ from the given ones), 'resume_diverged' (the replay asked something else).
 */
export class OptimizerError extends UserError {
  override readonly name = 'OptimizerError';
}

/** Proposals of already evaluated members in a row before the optimizer samples instead. */
const MAX_REPEATS = 100;
/** Random draws a domain of unknown size gets to produce a new member before it counts as exhausted. */
const MAX_DRAWS = 10_000;
/** Monte Carlo hypervolume beyond 3 objectives: a fixed seed, so the same front gives the same number. */
const HV_SAMPLES = 100_000;
const HV_SEED = 0;

/**
 * The reference point (minimized form) fixed from the anchors' points when none is given:
 * per objective the worst anchor value plus 10% of the anchors' range, or plus 10% of its
 * magnitude when the anchors agree (plus 1 when that is 0 too). Every anchor then adds
 * volume, and so do the front's extremes between them.
 */
export function referenceFromAnchors(points: readonly (readonly number[])[]): number[] {
  if (points.length === 0) throw new Error('referenceFromAnchors: no points');
  return points[0].map((_, m) => {
    const values = points.map((p) => p[m]);
    const worst = Math.max(...values);
    const range = worst - Math.min(...values);
    return worst + (range > 0 ? 0.1 * range : Math.abs(worst) > 0 ? 0.1 * Math.abs(worst) : 1);
  });
}

/** Every problem of the options, each naming its field. */
function optionIssues<T>(o: OptimizerOptions<T>): string[] {
  const issues: string[] = [];
  const names = o.objectives.map((x) => x.name);
  if (!o.domain) issues.push('domain: required');
  if (typeof o.createStrategy !== 'function') issues.push('createStrategy: must be a function (ctx) => strategy');
  if (names.length === 0) issues.push('objectives: give at least one');
  o.objectives.forEach((x, i) => {
    if (typeof x.name !== 'string' || x.name === '') issues.push(`objectives[${i}]: name must be a non-empty string`);
    else if (names.indexOf(x.name) !== i) issues.push(`objectives[${i}]: '${x.name}' is named twice`);
    if (x.direction !== 'minimize' && x.direction !== 'maximize') issues.push(`objectives[${i}] (${x.name}): direction must be 'minimize' or 'maximize' (got ${JSON.stringify(x.direction)})`);
  });
  (o.constraints ?? []).forEach((c, i) => {
    const at = `constraints[${i}]`;
    if (!names.includes(c.objective)) issues.push(`${at}: objective '${c.objective}' is not among the objectives (${names.join(', ')})`);
    if (c.max === undefined && c.min === undefined) issues.push(`${at} (${c.objective}): give max, min or both`);
    for (const bound of ['min', 'max'] as const) {
      if (c[bound] !== undefined && !Number.isFinite(c[bound])) issues.push(`${at} (${c.objective}): ${bound} must be a finite number (got ${c[bound]})`);
    }
    if (c.min !== undefined && c.max !== undefined && c.min > c.max) issues.push(`${at} (${c.objective}): min ${c.min} is above max ${c.max}`);
  });
  if (!Number.isInteger(o.budget) || o.budget < 1) issues.push(`budget: must be a positive integer (got ${o.budget})`);
  if (!Number.isSafeInteger(o.seed)) issues.push(`seed: must be an integer (got ${o.seed})`);
  if (o.reference !== undefined) {
    if (o.reference.length !== names.length) issues.push(`reference: has ${o.reference.length} values, but there are ${names.length} objectives (${names.join(', ')})`);
    if (!o.reference.every(Number.isFinite)) issues.push(`reference: every value must be a finite number (got ${JSON.stringify(o.reference)})`);
  }
  return issues;
}

/**
 * An ask/tell multi-objective search. `ask` returns the next member to evaluate (the
 * domain's anchors first, then the strategy's proposals) or undefined when the budget is
 * spent or the domain exhausted; `tell` records its objective values. A proposal of a member
 * already evaluated is answered from the log instead of being evaluated again.
 */
export class Optimizer<T> {
  readonly domain: Domain<T>;
  readonly objectives: readonly Objective[];
  readonly constraints: readonly Constraint[];
  readonly budget: number;
  readonly seed: number;
  private readonly options: OptimizerOptions<T>;
  private readonly rng: Rng;
  private readonly strategy: Strategy<T>;
  private readonly size: bigint | undefined;
  private readonly anchorQueue: T[];
  /** Trials after which the reference point is fixed, when the options give none. */
  private readonly anchorTrials: number;
  private readonly log: Trial<T>[] = [];
  private readonly points: number[][] = [];
  private readonly known = new Map<string, Evaluated<T>>();
  /** Indices of the feasible non-dominated trials. */
  private archive: number[] = [];
  private pending: { choice: T; key: string } | undefined;
  private minimizedReference: number[] | undefined;

  constructor(options: OptimizerOptions<T>) {
    const issues = optionIssues(options);
    if (issues.length > 0) throw new OptimizerError(`invalid optimizer options: ${issues.join('; ')}`, 'invalid_optimizer_options', issues);
    this.options = options;
    this.domain = options.domain;
    this.objectives = options.objectives.map((o) => ({ ...o }));
    this.constraints = (options.constraints ?? []).map((c) => ({ ...c }));
    this.budget = options.budget;
    this.seed = options.seed;
    this.rng = new Rng(options.seed);
    this.size = options.domain.size?.();
    const anchors = options.domain.anchors();
    this.anchorQueue = options.anchors === false ? [] : [...anchors];
    // Without anchors, as many first trials as the domain has anchors stand in for them.
    this.anchorTrials = Math.min(Math.max(1, anchors.length), options.budget);
    if (options.reference) this.minimizedReference = this.minimize(options.reference);
    this.strategy = options.createStrategy({ domain: this.domain, objectives: this.objectives.length, rng: this.rng, budget: this.budget });
  }

  /**
   * The next member to evaluate, or undefined when the budget is spent or every member of a
   * finite domain has been evaluated. Until it is told, asking again returns the same member.
   */
  ask(): T | undefined {
    if (this.pending) return this.pending.choice;
    if (this.log.length >= this.budget) return undefined;
    // A domain's anchors should be distinct; one that is not still gets each evaluated once.
    for (let anchor = this.anchorQueue.shift(); anchor !== undefined; anchor = this.anchorQueue.shift()) {
      const key = this.domain.key(anchor);
      if (!this.known.has(key)) return this.propose(anchor, key);
    }
    if (this.exhausted()) return undefined;
    for (let attempt = 0; attempt < MAX_REPEATS; attempt++) {
      const choice = this.strategy.ask();
      const key = this.domain.key(choice);
      const known = this.known.get(key);
      if (!known) return this.propose(choice, key);
      // The strategy learns the repeat's result as if it had been evaluated again.
      this.strategy.tell(known);
    }
    for (let draw = 0; this.size !== undefined || draw < MAX_DRAWS; draw++) {
      const choice = this.domain.sample(this.rng);
      const key = this.domain.key(choice);
      if (!this.known.has(key)) return this.propose(choice, key);
    }
    return undefined;
  }

  /** Records the values (declared directions, one per objective) of the member last asked. */
  tell(choice: T, values: readonly number[], details?: Details): Trial<T> {
    const index = this.log.length;
    if (!this.pending) throw new OptimizerError(`tell, trial ${index}: nothing is waiting for a result; call ask() first`, 'invalid_tell');
    const issues: string[] = [];
    const key = choice === this.pending.choice ? this.pending.key : this.domain.key(choice);
    if (key !== this.pending.key) issues.push(`the choice ${key} is not the member last asked (${this.pending.key}); tell the choice ask() returned`);
    const names = this.objectives.map((o) => o.name).join(', ');
    if (!Array.isArray(values) || values.length !== this.objectives.length) {
      issues.push(`expected ${this.objectives.length} values (${names}), got ${Array.isArray(values) ? values.length : JSON.stringify(values)}`);
    } else {
      values.forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) issues.push(`values[${i}] (${this.objectives[i].name}) must be a finite number (got ${String(v)})`);
      });
    }
    if (issues.length > 0) throw new OptimizerError(`tell, trial ${index}: ${issues.join('; ')}`, 'invalid_tell', issues);
    this.pending = undefined;
    const point = this.minimize(values);
    const violation = this.violation(values);
    const trial: Trial<T> = { index, choice, values: [...values], ...(details ? { details: { ...details } } : {}), violation, feasible: violation === 0 };
    this.log.push(trial);
    this.points.push(point);
    if (trial.feasible) this.updateArchive(index);
    if (!this.minimizedReference && this.log.length === this.anchorTrials) this.minimizedReference = referenceFromAnchors(this.points);
    const evaluated: Evaluated<T> = { choice, key, point, violation };
    this.known.set(key, evaluated);
    this.strategy.tell(evaluated);
    return trial;
  }

  /** Every trial, in the order evaluated. */
  get trials(): readonly Trial<T>[] {
    return this.log;
  }

  /** The reference point in declared units; undefined until fixed (see {@link referenceFromAnchors}). */
  get reference(): number[] | undefined {
    return this.minimizedReference && this.minimize(this.minimizedReference);
  }

  /** The feasible trials no other feasible trial dominates, by the first objective's value. */
  front(): Trial<T>[] {
    return this.archive.map((i) => this.log[i]).sort((a, b) => a.values[0] - b.values[0] || a.index - b.index);
  }

  /**
   * The hypervolume of the feasible front up to the reference point: exact for up to 3
   * objectives, a fixed-seed Monte Carlo estimate beyond. 0 until the reference is fixed.
   */
  hypervolume(): number {
    if (!this.minimizedReference) return 0;
    const front = this.archive.map((i) => this.points[i]);
    if (this.objectives.length <= 3) return hypervolume(front, this.minimizedReference);
    return hypervolumeEstimate(front, this.minimizedReference, HV_SAMPLES, new Rng(HV_SEED)).volume;
  }

  /** The search as plain JSON: its settings and its trial log, for {@link Optimizer.resume}. */
  state(): SearchState<T> {
    const o = this.options;
    return {
      format: 1,
      domain: this.domain.name,
      strategy: o.strategyName ?? null,
      strategyOptions: o.strategyOptions ?? null,
      seed: this.seed,
      budget: this.budget,
      objectives: this.objectives.map((x) => ({ ...x })),
      constraints: this.constraints.map((c) => ({ ...c })),
      reference: this.reference ?? null,
      anchors: o.anchors ?? true,
      trials: this.log.map((t) => ({ choice: t.choice, values: [...t.values], ...(t.details ? { details: { ...t.details } } : {}) })),
    };
  }

  /**
   * A fresh optimizer with `options`, brought to where `state` left off by replaying its
   * trials. Throws a 'resume_mismatch' error listing every setting that differs.
   */
  static resume<T>(options: OptimizerOptions<T>, state: SearchState<T>): Optimizer<T> {
    const optimizer = new Optimizer(options);
    const differences = stateDifferences(optimizer.state(), state, options.reference !== undefined);
    if (differences.length > 0) {
      throw new OptimizerError(
        `cannot resume the saved search with these settings: ${differences.join('; ')}; resume with the settings it was saved with`,
        'resume_mismatch',
        differences,
      );
    }
    optimizer.replay(state.trials);
    return optimizer;
  }

  /**
   * Feeds a recorded trial log through this optimizer: each trial's member must be the one
   * `ask` returns, and its values are told. Replay, rather than saving each strategy's
   * internals, keeps strategies free of serialisation code (they need only be deterministic
   * given the generator and the results told), and makes a resumed search provably the same
   * search: every proposal is checked against the log, so a changed seed, strategy, option or
   * domain is caught at the first trial it changes instead of silently mixing two searches.
   */
  replay(trials: readonly RecordedTrial<T>[]): void {
    for (const recorded of trials) {
      const asked = this.ask();
      const expected = this.domain.key(recorded.choice);
      const got = asked === undefined ? undefined : this.domain.key(asked);
      if (asked === undefined || got !== expected) {
        throw new OptimizerError(
          `the resumed search diverged at trial ${this.log.length}: it asked ${got ?? 'for nothing more (budget spent or domain exhausted)'}, ` +
            `but the log holds ${expected}; the settings (seed, strategy, its options, domain or budget) must have changed since the log was written`,
          'resume_diverged',
        );
      }
      this.tell(asked, recorded.values, recorded.details);
    }
  }

  /** Objective values as points to minimize (maximized ones negated), and back. */
  private minimize(values: readonly number[]): number[] {
    return values.map((v, i) => (this.objectives[i].direction === 'maximize' ? -v : v));
  }

  private violation(values: readonly number[]): number {
    let total = 0;
    for (const c of this.constraints) {
      const v = values[this.objectives.findIndex((o) => o.name === c.objective)];
      if (c.max !== undefined) total += Math.max(0, (v - c.max) / Math.max(Math.abs(c.max), 1e-12));
      if (c.min !== undefined) total += Math.max(0, (c.min - v) / Math.max(Math.abs(c.min), 1e-12));
    }
    return total;
  }

  private propose(choice: T, key = this.domain.key(choice)): T {
    this.pending = { choice, key };
    return choice;
  }

  private exhausted(): boolean {
    return this.size !== undefined && BigInt(this.known.size) >= this.size;
  }

  /** Adds a feasible trial to the front unless it is dominated, dropping what it dominates. */
  private updateArchive(index: number): void {
    const p = this.points[index];
    if (this.archive.some((i) => dominates(this.points[i], p))) return;
    this.archive = this.archive.filter((i) => !dominates(p, this.points[i]));
    this.archive.push(index);
  }
}

/** JSON with object keys sorted (and undefined as null), so equal settings compare equal however written. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Each setting of a saved state that differs from the current one, saved value first. */
function stateDifferences<T>(current: SearchState<T>, saved: SearchState<T>, referenceGiven: boolean): string[] {
  if (saved.format !== 1) return [`format: the state is format ${JSON.stringify(saved.format)}, this optimizer reads format 1`];
  const fields = ['domain', 'strategy', 'strategyOptions', 'seed', 'budget', 'objectives', 'constraints', 'anchors'] as const;
  const differences = fields
    .filter((f) => canonical(saved[f]) !== canonical(current[f]))
    .map((f) => `${f}: saved ${JSON.stringify(saved[f] ?? null)}, given ${JSON.stringify(current[f] ?? null)}`);
  if (referenceGiven && saved.reference && JSON.stringify(saved.reference) !== JSON.stringify(current.reference)) {
    differences.push(`reference: saved ${JSON.stringify(saved.reference)}, given ${JSON.stringify(current.reference)}`);
  }
  if (saved.trials.length > saved.budget) differences.push(`trials: the log holds ${saved.trials.length} trials, more than its budget of ${saved.budget}`);
  return differences;
}
