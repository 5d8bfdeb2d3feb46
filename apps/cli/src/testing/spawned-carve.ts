/**
 * @module testing/spawned-carve
 * For the tests that need `carve` as a real process (to kill it, or to run two at once):
 * spawned from its built bin, its stderr kept line by line with the moment each arrived.
 * Node writes stderr to a pipe synchronously, so a stage's "running" line has arrived
 * before the stage does anything.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MARKERS, StageMarker } from '@carve/pipeline';

export const CARVE_BIN = nodePath.resolve(__dirname, '../../bin/carve.js');

export interface SpawnedCarve {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The stderr lines so far, each with when it arrived, in ms after the spawn. */
  readonly lines: { at: number; text: string }[];
  /** Resolves true once a stderr line matches `pattern` (at once if one did), false if the process ends first. */
  line(pattern: RegExp): Promise<boolean>;
  /** Resolves once the process has ended, with all it wrote. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Spawns `carve args…`, in `env` (default: this process's environment). */
export function spawnCarve(args: readonly string[], env?: NodeJS.ProcessEnv): SpawnedCarve {
  const start = Date.now();
  const child = spawn(process.execPath, [CARVE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines: { at: number; text: string }[] = [];
  const waiting: { pattern: RegExp; resolve: (seen: boolean) => void }[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const text of parts) {
      lines.push({ at: Date.now() - start, text });
      for (const w of waiting.filter((w) => w.pattern.test(text))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(true);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiting.splice(0)) w.resolve(false);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    pid: child.pid!,
    lines,
    line: (pattern) => {
      if (lines.some((l) => pattern.test(l.text))) return Promise.resolve(true);
      if (ended) return Promise.resolve(false);
      return new Promise((resolve) => waiting.push({ pattern, resolve }));
    },
    exited,
  };
}

/** The stages a spawned run's stderr names with `what` (its first group), in order. */
export const stageLines = (p: SpawnedCarve, what: RegExp): string[] => p.lines.map((l) => what.exec(l.text)?.[1]).filter((s): s is string => s !== undefined);

/** The run folder of the only run under `root`. */
export function runFolder(root: string): string | undefined {
  const runs = nodePath.join(root, 'runs');
  const ids = fs.existsSync(runs) ? fs.readdirSync(runs) : [];
  return ids.length === 1 ? nodePath.join(runs, ids[0]) : undefined;
}

/** Finished stages (those with a marker) and when each finished. */
export function finished(folder: string | undefined): Map<string, string> {
  const dir = folder && nodePath.join(folder, MARKERS);
  if (!dir || !fs.existsSync(dir)) return new Map();
  return new Map(fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.replace(/\.json$/, ''), (JSON.parse(fs.readFileSync(nodePath.join(dir, f), 'utf8')) as StageMarker).finished]));
}
