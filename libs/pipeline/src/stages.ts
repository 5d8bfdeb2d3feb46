/**
 * @module stages
 * The stage graph of a run: each stage declares the part of the spec it reads and the files
 * it writes; a finished stage leaves a completion marker with the hash of its inputs (that
 * part of the spec and its upstream stages' hashes) and a checksum of each output. A rerun
 * skips a stage whose marker matches and whose outputs are intact, and runs it again when
 * the spec part it reads changed, an upstream stage ran again, or an output is missing or
 * corrupted. An interrupted stage has no marker, so it runs again (and may resume from its
 * own checkpoints).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { writeJsonAtomic } from '@carve/model';

/** One stage of a run. */
export interface Stage<Context> {
  /** Names the stage in the plan, in markers and in progress. */
  readonly name: string;
  /** Stages whose outputs this one reads; they come first. */
  readonly after: readonly string[];
  /** Bump when the stage's code changes what it writes: finished runs then redo it. */
  readonly version: number;
  /** The part of the spec (and anything else) whose change must redo this stage. */
  inputs(context: Context): unknown;
  /** Files it writes, relative to the run folder (checked on every rerun). */
  outputs(context: Context): string[];
  /** What it would do, for a dry run: a line, and a rough cost in seconds if known. */
  describe(context: Context): { what: string; seconds?: number };
  /** Does the work, writing its outputs into `folder` (the run folder). */
  run(context: Context, folder: string): Promise<void>;
}

/** Why a stage would run, or that it would not. */
export type StageDecision =
  | { action: 'skip' }
  | { action: 'run'; reason: 'new' | 'inputs changed' | 'upstream ran' | 'output changed' | 'version changed'; detail?: string };

export interface PlannedStage {
  name: string;
  decision: StageDecision;
  what: string;
  seconds?: number;
  /** Hash of the stage's inputs and its upstream stages' hashes. */
  hash: string;
}

/** What a finished stage leaves in `stages/<name>.json`. */
export interface StageMarker {
  stage: string;
  version: number;
  hash: string;
  inputs: unknown;
  outputs: Record<string, { bytes: number; sha256: string }>;
  seconds: number;
  finished: string;
}

export const MARKERS = 'stages';

/** Stage names in an order where each comes after those it reads; a cycle or unknown name throws. */
export function stageOrder<C>(stages: readonly Stage<C>[]): Stage<C>[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  if (byName.size !== stages.length) throw new Error(`stage names repeat: ${stages.map((s) => s.name).join(', ')}`);
  const ordered: Stage<C>[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: Stage<C>, path: string[]) => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') throw new Error(`stages form a cycle: ${[...path, s.name].join(' → ')}`);
    state.set(s.name, 'visiting');
    for (const name of s.after) {
      const upstream = byName.get(name);
      if (!upstream) throw new Error(`stage '${s.name}' comes after '${name}', which is not a stage`);
      visit(upstream, [...path, s.name]);
    }
    state.set(s.name, 'done');
    ordered.push(s);
  };
  for (const s of stages) visit(s, []);
  return ordered;
}

/** sha256 of a file, streamed. */
export function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** JSON with object keys sorted, so equal inputs hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The marker of stage `name` in `folder`, if it finished. */
export function readMarker(folder: string, name: string): StageMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(nodePath.join(folder, MARKERS, `${name}.json`), 'utf8')) as StageMarker;
  } catch {
    return undefined; // absent or torn: the stage did not finish
  }
}

/** The first output that is missing or differs from the marker's checksum, if any. */
function changedOutput(folder: string, marker: StageMarker): string | undefined {
  for (const [path, { bytes, sha256 }] of Object.entries(marker.outputs)) {
    const file = nodePath.join(folder, path);
    if (!fs.existsSync(file)) return `${path} is missing`;
    if (fs.statSync(file).size !== bytes || fileSha256(file) !== sha256) return `${path} differs from what the stage wrote`;
  }
  return undefined;
}

/** What a run of `stages` in `folder` would do, without doing it. */
export function planStages<C>(stages: readonly Stage<C>[], context: C, folder: string): PlannedStage[] {
  const plan: PlannedStage[] = [];
  const hashes = new Map<string, string>();
  const running = new Set<string>();
  for (const stage of stageOrder(stages)) {
    const inputs = stage.inputs(context);
    const hash = createHash('sha256')
      .update(canonical({ stage: stage.name, version: stage.version, inputs, upstream: stage.after.map((n) => hashes.get(n)) }))
      .digest('hex');
    hashes.set(stage.name, hash);
    const marker = readMarker(folder, stage.name);
    let decision: StageDecision;
    const upstream = stage.after.find((n) => running.has(n));
    if (!marker) decision = { action: 'run', reason: 'new' };
    else if (marker.version !== stage.version) decision = { action: 'run', reason: 'version changed', detail: `${marker.version} → ${stage.version}` };
    else if (canonical(marker.inputs) !== canonical(inputs)) decision = { action: 'run', reason: 'inputs changed', detail: changedKeys(marker.inputs, inputs).join(', ') };
    else if (upstream || marker.hash !== hash) decision = { action: 'run', reason: 'upstream ran', detail: upstream };
    else {
      const changed = changedOutput(folder, marker);
      decision = changed ? { action: 'run', reason: 'output changed', detail: changed } : { action: 'skip' };
    }
    if (decision.action === 'run') running.add(stage.name);
    plan.push({ name: stage.name, decision, hash, ...stage.describe(context) });
  }
  return plan;
}

/** Top-level keys (dotted one level down) whose values differ between two inputs. */
function changedKeys(before: unknown, after: unknown, prefix = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(before) || !isObject(after)) return canonical(before) === canonical(after) ? [] : [prefix || '(all)'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k) => {
    const path = prefix ? `${prefix}.${k}` : k;
    if (canonical(before[k]) === canonical(after[k])) return [];
    return prefix === '' && isObject(before[k]) && isObject(after[k]) ? changedKeys(before[k], after[k], path) : [path];
  });
}

export interface RunStagesOptions {
  /** Called as each stage starts (with its decision) and ends. */
  onStage?: (event: { stage: string; phase: 'start' | 'skip' | 'done'; decision: StageDecision; seconds?: number }) => void;
  /**
   * Awaited after a stage that ran has left its marker, before the next stage starts: the run
   * folder holds no half-written file then, so it can be copied elsewhere (published).
   */
  afterStage?: (stage: string) => Promise<void>;
}

/**
 * Runs the stages that the plan says must run, in order, each followed by its marker
 * (written to a temporary file and renamed, after the outputs). Returns the plan and each
 * stage's seconds.
 */
export async function runStages<C>(stages: readonly Stage<C>[], context: C, folder: string, options: RunStagesOptions = {}): Promise<{ plan: PlannedStage[]; seconds: Record<string, number> }> {
  fs.mkdirSync(nodePath.join(folder, MARKERS), { recursive: true });
  const plan = planStages(stages, context, folder);
  const byName = new Map(stages.map((s) => [s.name, s]));
  const seconds: Record<string, number> = {};
  for (const step of plan) {
    const stage = byName.get(step.name)!;
    if (step.decision.action === 'skip') {
      options.onStage?.({ stage: step.name, phase: 'skip', decision: step.decision });
      continue;
    }
    // The old marker goes first: a stage interrupted from here on is not finished.
    fs.rmSync(nodePath.join(folder, MARKERS, `${step.name}.json`), { force: true });
    options.onStage?.({ stage: step.name, phase: 'start', decision: step.decision });
    const start = process.hrtime.bigint();
    await stage.run(context, folder);
    seconds[step.name] = Number(process.hrtime.bigint() - start) / 1e9;
    const outputs: StageMarker['outputs'] = {};
    for (const path of stage.outputs(context)) {
      const file = nodePath.join(folder, path);
      if (!fs.existsSync(file)) throw new Error(`stage '${step.name}' finished without writing ${path}`);
      outputs[path] = { bytes: fs.statSync(file).size, sha256: fileSha256(file) };
    }
    const marker: StageMarker = { stage: step.name, version: stage.version, hash: step.hash, inputs: stage.inputs(context), outputs, seconds: seconds[step.name], finished: new Date().toISOString() };
    writeJsonAtomic(nodePath.join(folder, MARKERS, `${step.name}.json`), marker);
    options.onStage?.({ stage: step.name, phase: 'done', decision: step.decision, seconds: seconds[step.name] });
    await options.afterStage?.(step.name);
  }
  return { plan, seconds };
}
