/**
 * @module train/run-folder
 * The folder a training run lives in: run.json (what the run is, written first and whole),
 * metrics.jsonl (one JSON line per step and per evaluation, appended), checkpoints/ (the
 * trainer's), and at the end adapters.safetensors. A resumed run reads run.json and cuts
 * metrics.jsonl back to its checkpoint, so the lines of steps it repeats appear once.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { writeSafetensors } from '@carve/model';

export const RUN_JSON = 'run.json';
export const METRICS = 'metrics.jsonl';
export const CHECKPOINTS = 'checkpoints';
export const ADAPTERS = 'adapters.safetensors';

/** What run.json holds that a resumed run reads back. */
export interface RunRecord {
  settings: Record<string, unknown>;
  data: { files: { path: string; sha256: string }[] };
}

/** Why `out` cannot be created (without `--resume`): a file or unwritable folder in the way. */
export function unwritableIssue(out: string): string | undefined {
  let dir = nodePath.resolve(out);
  while (!fs.existsSync(dir)) dir = nodePath.dirname(dir);
  if (dir === nodePath.resolve(out)) return undefined; // it exists: outputIssue says what to do
  if (!fs.statSync(dir).isDirectory()) return `--out ${out}: cannot create it: ${dir} is a file, not a folder`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `--out ${out}: cannot create it: ${dir} is not writable`;
  }
  return undefined;
}

/** The run a folder holds, for --resume: its record and the step of its latest checkpoint, or the problem. */
export function readRun(out: string): { run: RunRecord; step: number } | string {
  const file = nodePath.join(out, RUN_JSON);
  const latest = nodePath.join(out, CHECKPOINTS, 'latest.json');
  if (!fs.existsSync(file)) return `--resume: ${out} holds no training run (no ${RUN_JSON}); start one without --resume`;
  let run: RunRecord;
  try {
    run = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
  } catch (e) {
    return `--resume: ${file}: not valid JSON (${(e as Error).message})`;
  }
  if (typeof run.settings !== 'object' || run.settings === null) return `--resume: ${file}: no "settings"; it was not written by carve train`;
  if (!fs.existsSync(latest)) return `--resume: ${out} has no checkpoint yet (${latest} is missing); start the run again with --force`;
  const { step } = JSON.parse(fs.readFileSync(latest, 'utf8')) as { step: number };
  return { run, step };
}

/** Appends one JSON line to metrics.jsonl. */
export function appendMetrics(out: string, record: unknown): void {
  fs.appendFileSync(nodePath.join(out, METRICS), `${JSON.stringify(record)}\n`);
}

/** Keeps the metrics lines of steps up to `step` (those a resumed run does not repeat). */
export function truncateMetrics(out: string, step: number): void {
  const file = nodePath.join(out, METRICS);
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  const kept = lines.filter((l) => (JSON.parse(l) as { step: number }).step <= step);
  fs.writeFileSync(file, kept.map((l) => `${l}\n`).join(''));
}

/** Writes the trained tensors, in their shapes, with what they are in the metadata (atomically). */
export function writeAdapters(out: string, tensors: [string, { shape: number[]; data: Float32Array }][], metadata: Record<string, string>): string {
  const file = nodePath.join(out, ADAPTERS);
  writeSafetensors(file, tensors, { format: 'pt', ...metadata });
  return file;
}
