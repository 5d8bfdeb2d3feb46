/**
 * @module steps/train/run-folder
 * The folder a training run lives in: run.json (what the run is, written first and whole),
 * metrics.jsonl (one JSON line per step and per evaluation, appended), checkpoints/ (the
 * trainer's), and at the end adapters.safetensors. A resumed run reads run.json and cuts
 * metrics.jsonl back to its checkpoint, so the lines of steps it repeats appear once.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { writeSafetensors } from '@carve/model';
import { plainLabel, SettingLabel } from './settings';

export const RUN_JSON = 'run.json';
export const METRICS = 'metrics.jsonl';
export const CHECKPOINTS = 'checkpoints';
export const ADAPTERS = 'adapters.safetensors';

/** The names of a run folder's files, for callers (a stage's outputs, messages). */
export const TRAIN_FILES = { run: RUN_JSON, metrics: METRICS, checkpoints: CHECKPOINTS, adapters: ADAPTERS } as const;

/** What run.json holds that a resumed run reads back. */
export interface TrainRunRecord {
  settings: Record<string, unknown>;
  data: { files: { path: string; sha256: string }[] };
}

/** A run found in a folder: its record and the step of its latest checkpoint. */
export interface PreviousTrainRun {
  run: TrainRunRecord;
  step: number;
}

/**
 * Why `out` cannot be created: a file or unwritable folder in the way (an existing `out` is
 * the caller's to judge). `label` names the folder's setting and the act of resuming.
 */
export function trainFolderIssue(out: string, label: SettingLabel = plainLabel): string | undefined {
  let dir = nodePath.resolve(out);
  while (!fs.existsSync(dir)) dir = nodePath.dirname(dir);
  if (dir === nodePath.resolve(out)) return undefined; // it exists: the caller says what to do
  if (!fs.statSync(dir).isDirectory()) return `${label('out')} ${out}: cannot create it: ${dir} is a file, not a folder`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `${label('out')} ${out}: cannot create it: ${dir} is not writable`;
  }
  return undefined;
}

/** The run a folder holds, to resume: its record and the step of its latest checkpoint, or the problem. */
export function readTrainRun(out: string, label: SettingLabel = plainLabel): PreviousTrainRun | string {
  const resume = label('resume');
  const file = nodePath.join(out, RUN_JSON);
  const latest = nodePath.join(out, CHECKPOINTS, 'latest.json');
  if (!fs.existsSync(file)) return `${resume}: ${out} holds no training run (no ${RUN_JSON}); start one without ${resume}`;
  let run: TrainRunRecord;
  try {
    run = JSON.parse(fs.readFileSync(file, 'utf8')) as TrainRunRecord;
  } catch (e) {
    return `${resume}: ${file}: not valid JSON (${(e as Error).message})`;
  }
  if (typeof run.settings !== 'object' || run.settings === null) return `${resume}: ${file}: no "settings"; it was not written by carve train`;
  if (!fs.existsSync(latest)) return `${resume}: ${out} has no checkpoint yet (${latest} is missing); start the run again with ${label('force')}`;
  const { step } = JSON.parse(fs.readFileSync(latest, 'utf8')) as { step: number };
  return { run, step };
}

/**
 * Creates `out` whole: `write` fills a temporary folder beside it, which is then renamed into
 * place, so an interrupted start leaves no half run folder to be mistaken for one to resume.
 */
export function createRunFolder(out: string, write: (temp: string) => void): void {
  const target = nodePath.resolve(out);
  const temp = nodePath.join(nodePath.dirname(target), `.${nodePath.basename(target)}.tmp-${process.pid}`);
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp, { recursive: true });
  try {
    write(temp);
    fs.renameSync(temp, target);
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
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
