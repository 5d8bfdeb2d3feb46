/**
 * @module cli
 * A small sample of the cases run through the real program, `node apps/cli/bin/carve.js`,
 * as a user would: a bad input must exit with 2 and print exactly one line on stderr (no
 * stack trace), a still-valid one exit with 0. It needs the CLI built (`npm run build`).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Problem } from './contract';
import { caseSeed, Prng } from './prng';
import { Target, Violation } from './runner';
import { Seeds } from './seeds';
import { allTargets } from './targets';

export const CARVE_BIN = path.resolve(__dirname, '../../../apps/cli/bin/carve.js');
export const CLI_BUILT = path.resolve(__dirname, '../../../apps/cli/dist/main.js');

/** A target's inputs given to a command: `argv(dir)` names the case's files. */
export interface CliCase {
  target: string;
  count: number;
  argv(dir: string, seeds: Seeds): string[];
}

const ID = '20260101-1200-abcdef';

/** About thirty runs: each costs a Node start (under a second), unlike the in-process cases. */
export const CLI_CASES: readonly CliCase[] = [
  { target: 'hf-config', count: 6, argv: (dir) => ['space', 'show', '--checkpoint', path.join(dir, 'model')] },
  { target: 'hf-weights', count: 6, argv: (dir) => ['space', 'show', '--checkpoint', path.join(dir, 'model')] },
  { target: 'llama2c-bin', count: 3, argv: (dir) => ['space', 'show', '--checkpoint', path.join(dir, 'model.bin')] },
  { target: 'importance-json', count: 2, argv: (dir, s) => ['space', 'show', '--checkpoint', s.hf.llama, '--importance', path.join(dir, 'importance.json')] },
  { target: 'tokenizer-json', count: 4, argv: (dir, s) => ['generate', '--checkpoint', s.hf.llama, '--tokenizer', path.join(dir, 'tokenizer'), '--max-new-tokens', '2', '--temperature', '0'] },
  { target: 'tokenizer-bin', count: 3, argv: (dir, s) => ['generate', '--checkpoint', s.hf.llama, '--tokenizer', path.join(dir, 'tokenizer.bin'), '--max-new-tokens', '2', '--temperature', '0'] },
  { target: 'spec-json', count: 3, argv: (dir) => ['compress', path.join(dir, 'spec.json'), '--dry-run'] },
  { target: 'spec-yaml', count: 3, argv: (dir) => ['compress', path.join(dir, 'spec.yaml'), '--dry-run'] },
  { target: 'manifest-read', count: 2, argv: (dir) => ['runs', 'show', ID, '--catalog', path.join(dir, 'catalog')] },
];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `carve argv…` in `cwd`, killed after `timeoutMs`. */
export function runCarve(argv: readonly string[], cwd: string, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    // A deep stack trace, so that a stack overflow's still names the repository's frame it began in.
    const child = spawn(process.execPath, ['--stack-trace-limit=100000', CARVE_BIN, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** stderr's first line and the repository frames of its stack, for a report. */
function summary(stderr: string): string {
  const lines = stderr.split('\n');
  const frames = lines.filter((l) => /^\s+at .*[\\/](libs|apps)[\\/]/.test(l)).slice(0, 5);
  return [lines[0].slice(0, 400), ...frames.map((f) => f.trim())].join(' | ');
}

/** The contract for one run: 0, or 2 with one `carve: ` line and no stack. */
export function cliProblems(run: CliRun): Problem[] {
  if (run.timedOut) return [{ kind: 'slow', detail: 'the CLI was killed after its timeout' }];
  if (run.code === 0) return [];
  if (run.code !== 2) return [{ kind: 'not-a-user-error', detail: `exit code ${run.code}: ${summary(run.stderr)}` }];
  const lines = run.stderr.replace(/\n$/, '').split('\n');
  if (lines.length !== 1 || /^\s+at /m.test(run.stderr)) return [{ kind: 'multi-line-message', detail: `exit code 2 with ${lines.length} lines on stderr: ${run.stderr.slice(0, 600)}` }];
  if (!lines[0].startsWith('carve: ') || lines[0].trim() === 'carve:') return [{ kind: 'empty-message', detail: `stderr: ${lines[0]}` }];
  return [];
}

export interface CliReport {
  runs: number;
  byTarget: Record<string, number>;
  exitCodes: Record<string, number>;
  violations: Violation[];
  seconds: number;
  /** The slowest run: where the sample's time goes. */
  slowest: { format: string; index: number; seconds: number };
}

/** Prepares and runs every CLI case, `parallel` at a time; case folders go under `dir`. */
export async function runCliSample(seeds: Seeds, seed: number, dir: string, options: { parallel?: number; only?: { format: string; index: number }; onRun?: (run: CliRun) => void } = {}): Promise<CliReport> {
  const { parallel = 2, only } = options;
  const targets = new Map<string, Target>(allTargets(seeds).map((t) => [t.name, t]));
  const jobs = CLI_CASES.flatMap((c) => Array.from({ length: c.count }, (_, index) => ({ c, index, target: targets.get(c.target)! }))).filter(
    (j) => !only || (only.format === `cli:${j.c.target}` && only.index === j.index),
  );
  const report: CliReport = { runs: 0, byTarget: {}, exitCodes: {}, violations: [], seconds: 0, slowest: { format: '', index: -1, seconds: 0 } };
  const started = Date.now();
  const runOne = async ({ c, index, target }: (typeof jobs)[number]) => {
    const format = `cli:${c.target}`;
    const caseDir = path.join(dir, `${target.name}-cli-${index}`);
    fs.mkdirSync(caseDir, { recursive: true });
    const mutations = target.prepare(new Prng(caseSeed(seed, format, index)), caseDir);
    const t0 = Date.now();
    const run = await runCarve(c.argv(caseDir, seeds), caseDir);
    const seconds = (Date.now() - t0) / 1000;
    if (seconds > report.slowest.seconds) report.slowest = { format, index, seconds };
    options.onRun?.(run);
    report.runs++;
    report.byTarget[c.target] = (report.byTarget[c.target] ?? 0) + 1;
    report.exitCodes[String(run.code)] = (report.exitCodes[String(run.code)] ?? 0) + 1;
    report.violations.push(...cliProblems(run).map((p) => ({ ...p, format, seed, index, mutations })));
    fs.rmSync(caseDir, { recursive: true, force: true });
  };
  const queue = [...jobs];
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await runOne(job);
  }));
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
