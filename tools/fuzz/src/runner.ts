/**
 * @module runner
 * Runs a target's cases under a fixed seed and records, per format, how many loaded, how
 * many failed properly, and every contract violation with what reproduces it: the suite
 * seed, the format and the case index (`FUZZ_CASE=<format>:<index>` reruns that case alone).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorProblems, Problem, ViolationKind } from './contract';
import { caseSeed, Prng } from './prng';

/** One input format and the library call that reads it. */
export interface Target {
  /** The format's name in counts and reproductions. */
  readonly name: string;
  /** Cases run under the suite seed. */
  readonly cases: number;
  /** Writes the case's input files into the fresh folder `dir`, mutated from a valid seed; returns the mutations applied. */
  prepare(rng: Prng, dir: string): string[];
  /** The call under test; it may return a promise. */
  run(dir: string): unknown;
  /** Strings of which an error message should contain one (the file or folder); none skips the check. */
  names?(dir: string): string[];
  /** Problems left behind by the call (a partial output file); `failed` says whether it threw. */
  after?(dir: string, failed: boolean): Problem[];
}

export interface Violation extends Problem {
  format: string;
  seed: number;
  index: number;
  mutations: string[];
}

export interface FormatReport {
  format: string;
  cases: number;
  /** Cases whose input was still valid and loaded. */
  loaded: number;
  /** Cases rejected with a proper user error. */
  rejected: number;
  violations: Violation[];
  seconds: number;
  /** The slowest case: where a format's time goes. */
  slowest: { index: number; seconds: number };
}

/** A case slower than this counts as a hang: every seed file is tiny. */
export const SLOW_SECONDS = 5;

export interface RunOptions {
  seed: number;
  /** Where case folders are made (each is removed after its case). */
  dir: string;
  /** Only this case index (a reproduction). */
  only?: number;
  /** Called with each violation's error, for a reproduction's stack. */
  onError?: (e: unknown, index: number) => void;
}

/** Runs every case of `target`; violations are returned, not thrown. */
export async function runTarget(target: Target, options: RunOptions): Promise<FormatReport> {
  const report: FormatReport = { format: target.name, cases: 0, loaded: 0, rejected: 0, violations: [], seconds: 0, slowest: { index: -1, seconds: 0 } };
  const started = Date.now();
  for (let index = 0; index < target.cases; index++) {
    if (options.only !== undefined && index !== options.only) continue;
    const dir = path.join(options.dir, `${target.name}-${index}`);
    fs.mkdirSync(dir, { recursive: true });
    const mutations = target.prepare(new Prng(caseSeed(options.seed, target.name, index)), dir);
    const problems: Problem[] = [];
    const t0 = Date.now();
    let failed = false;
    // Deep enough that a stack overflow's trace still reaches the repository's frames.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100_000;
    try {
      await target.run(dir);
      report.loaded++;
    } catch (e) {
      failed = true;
      const found = errorProblems(e, target.names?.(dir) ?? []);
      if (found.length === 0) report.rejected++;
      else options.onError?.(e, index);
      problems.push(...found);
    } finally {
      Error.stackTraceLimit = limit;
    }
    const seconds = (Date.now() - t0) / 1000;
    if (seconds > report.slowest.seconds) report.slowest = { index, seconds };
    if (seconds > SLOW_SECONDS) problems.push({ kind: 'slow', detail: `took ${seconds.toFixed(1)} s` });
    problems.push(...(target.after?.(dir, failed) ?? []));
    report.violations.push(...problems.map((p) => ({ ...p, format: target.name, seed: options.seed, index, mutations })));
    report.cases++;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** `FUZZ_CASE=<format>:<index>` (the format may be `cli:<target>`), or undefined for every case. */
export function parseFuzzCase(text: string | undefined): { format: string; index: number } | undefined {
  const m = /^(.+):(\d+)$/.exec(text ?? '');
  return m ? { format: m[1], index: Number(m[2]) } : undefined;
}

/** A violation as one line: what, where, and how to rerun it. */
export function formatViolation(v: Violation): string {
  return `[${v.kind}] ${v.format}#${v.index} (FUZZ_SEED=${v.seed} FUZZ_CASE=${v.format}:${v.index}; ${v.mutations.join(', ')}): ${v.detail}`.replace(/[\r\n]+/g, '⏎');
}

export type { ViolationKind };
