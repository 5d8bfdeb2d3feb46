/**
 * @module strategy
 * The contract between the optimizer and its search strategies (plugins of kind
 * 'optimizer'), and the domain they search. A strategy sees only minimized objective
 * vectors and constraint violations; the optimizer turns declared directions, constraints,
 * the anchors, duplicate proposals, the budget and resuming into that.
 */
import { Rng } from '@carve/engine';

/**
 * What a strategy searches over: members of type T, each with an encoding in [0, 1]^d.
 * Variation operators (crossover, mutation, a surrogate model's inputs) work on encodings;
 * `decode` maps any vector back to the nearest member, so a discrete space rounds.
 */
export interface Domain<T> {
  /** Names the domain in errors and in a saved search state. */
  readonly name: string;
  /** Length of the encoding. */
  readonly dimensions: number;
  /** The member as a vector in [0, 1]^dimensions. */
  encode(x: T): number[];
  /** The member nearest to any finite vector (entries clamped to [0, 1]). */
  decode(v: readonly number[]): T;
  /** Identity of a member: equal keys if and only if the same member. */
  key(x: T): string;
  /** A member drawn at random. */
  sample(rng: Rng): T;
  /** Members near x, for local search (drawn with `rng` where the domain is continuous). */
  neighbours(x: T, rng: Rng): T[];
  /**
   * Where a search starts unless told otherwise: for a sub-network space the largest, the
   * smallest and a middle member.
   */
  anchors(): T[];
  /** Number of distinct members, when the domain is finite. */
  size?(): bigint;
}

/** One evaluated member as a strategy sees it. */
export interface Evaluated<T> {
  choice: T;
  /** Domain key of the choice. */
  key: string;
  /** The objective values, every one to be minimized (maximized objectives are negated). */
  point: number[];
  /** How far outside the constraints, 0 when feasible (Deb's constraint domination ranks by it). */
  violation: number;
}

/** What a strategy is created with, besides its own options. */
export interface StrategyContext<T> {
  domain: Domain<T>;
  /** Number of objectives in every `point`. */
  objectives: number;
  /** The only source of randomness a strategy may use, so that a search replays exactly. */
  rng: Rng;
  /** The number of evaluations the search will make. */
  budget: number;
}

/**
 * A search strategy: an ask/tell loop. Strategies must be deterministic given the context's
 * generator and the sequence of results told, because the optimizer resumes a search by
 * replaying its trial log through a fresh strategy instead of serialising each strategy's
 * internals. `tell` may report choices the strategy did not ask for (the anchors), and may
 * report a choice again when its proposal repeated an earlier member (it is not evaluated
 * twice).
 */
export interface Strategy<T> {
  /** The next member to evaluate. */
  ask(): T;
  /** The result of evaluating a member. */
  tell(result: Evaluated<T>): void;
}
