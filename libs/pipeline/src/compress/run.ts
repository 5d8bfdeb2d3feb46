/**
 * @module compress/run
 * One compression run: the spec's stages in order in the run folder of a local catalog,
 * with the run's manifest kept up to date (status and stage timings) and written after the
 * files it describes; for an S3 catalog the finished files are published after each stage.
 * Rerunning the same spec finds its run and does only what is missing; `run` names a run to
 * continue with a changed spec, which redoes exactly the stages the change reaches. The run
 * folder is locked while the run works in it (compress/run-lock): a second process on it is
 * refused, and what killed runs left half-written in it is removed first (compress/leftovers).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Catalog, CatalogBackend, checkRunId, LocalBackend, newRunId, RUN_ID_PATTERN, RunManifestInput, RunStage } from '@carve/catalog';
import { ResolvedDevice } from '@carve/engine';
import { writeJsonAtomic } from '@carve/model';
import { createRegistry } from '../plugins';
import { readJson, RUN_FILES } from '../report-data';
import { RunSpec } from '@carve/spec';
import { PlannedStage, planStages, readMarker, runStages } from '../stages';
import { FRONT_JSON } from '../steps/search';
import { packageVersions } from '../versions';
import { CompressContext, resolveContext, runDevice } from './context';
import { removeLeftovers } from './leftovers';
import { withRunLock } from './run-lock';
import { compressStages, ReportInfo } from './stages';

export interface CompressOptions {
  /** Continue this run (its spec may differ: the stages it reaches run again). @default the run of this spec, or a new one */
  run?: string;
  /** Called as each stage starts, is skipped or ends (with the process's peak RSS so far, in MB). */
  onStage?: (event: { stage: string; phase: 'start' | 'skip' | 'done'; reason?: string; seconds?: number; peakRssMb?: number }) => void;
  /** Resolves plugin packages the spec names. @default the working directory */
  resolveFrom?: string;
  /** The clock, for the run id and the manifest. @default now */
  now?: () => Date;
  /** Told a line worth the user's attention that is no error (a stale lock of the run folder taken over). */
  onNote?: (line: string) => void;
}

export interface CompressResult {
  id: string;
  folder: string;
  plan: PlannedStage[];
  /** Stages that ran, with their seconds. */
  seconds: Record<string, number>;
  report: string;
  front: string;
}

const SPEC_FILE = RUN_FILES.spec;
/** The process's peak resident memory so far, in whole MB. */
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const hashOf = (spec: RunSpec) => createHash('sha256').update(JSON.stringify(spec)).digest('hex');

/** The run folder of `spec`: the named run, else the catalog's run with this spec, else a new one. */
function chooseRun(root: string, spec: RunSpec, options: CompressOptions): string {
  if (options.run !== undefined) return checkRunId(options.run, '--run');
  const runs = nodePath.join(root, 'runs');
  const hash = hashOf(spec);
  for (const id of fs.existsSync(runs) ? fs.readdirSync(runs).sort().reverse() : []) {
    // A folder whose name is no run id is none of ours, whatever it holds.
    if (!RUN_ID_PATTERN.test(id)) continue;
    try {
      if (hashOf(JSON.parse(fs.readFileSync(nodePath.join(runs, id, SPEC_FILE), 'utf8')) as RunSpec) === hash) return id;
    } catch {
      // Not a run of ours (no or unreadable spec.json): never reused.
    }
  }
  return newRunId((options.now ?? (() => new Date()))(), spec);
}

/** The catalog the spec names: the local folder, or S3 through its plugin (created lazily, so a dry run needs no network). */
function catalogOf(c: CompressContext): Catalog {
  const o = c.spec.output;
  if (o.catalog === 'local') return new Catalog(new LocalBackend(o.root));
  const options = { ...(o.bucket ? { bucket: o.bucket } : {}), ...(o.prefix !== undefined ? { prefix: o.prefix } : {}), ...(o.endpoint ? { endpoint: o.endpoint, forcePathStyle: true } : {}), ...(o.region ? { region: o.region } : {}) };
  return new Catalog(c.registry.create<CatalogBackend>('catalog-backend', 's3', options, { env: process.env }));
}

function context(spec: RunSpec, options: CompressOptions): { c: CompressContext; id: string } {
  const root = spec.output.root;
  const id = chooseRun(root, spec, options);
  const registry = createRegistry(spec.plugins, options.resolveFrom ?? process.cwd());
  return { c: resolveContext(spec, nodePath.join(root, 'runs', id), registry), id };
}

/** What `compress` would do with `spec`, computing nothing. */
export function planCompress(spec: RunSpec, options: CompressOptions = {}): { id: string; folder: string; plan: PlannedStage[] } {
  const { c, id } = context(spec, options);
  return { id, folder: c.folder, plan: planStages(compressStages(spec, () => ({ id, model: '', status: '', created: '', timings: {}, spec })), c, c.folder) };
}

/** Seconds of every finished stage, from their markers, in the order the stages run. */
function timings(folder: string, order: readonly string[]): Record<string, number> {
  return Object.fromEntries(order.flatMap((stage) => {
    const marker = readMarker(folder, stage);
    return marker ? [[stage, marker.seconds]] : [];
  }));
}

/**
 * Runs `spec` to its end (or to the first failure, recorded in the manifest and thrown). A
 * device that does not work here fails first, before anything is written; a run folder that
 * another process works in is refused (a RunLockedError) before anything is written in it.
 */
export async function compress(spec: RunSpec, options: CompressOptions = {}): Promise<CompressResult> {
  const { c, id } = context(spec, options);
  const device = await runDevice(c);
  fs.mkdirSync(c.folder, { recursive: true });
  return withRunLock(c.folder, { onNote: options.onNote }, () => compressLocked(spec, options, c, id, device));
}

/** The run of `compress`, in the folder it has locked. */
async function compressLocked(spec: RunSpec, options: CompressOptions, c: CompressContext, id: string, device: ResolvedDevice): Promise<CompressResult> {
  const now = options.now ?? (() => new Date());
  removeLeftovers(c.folder);
  writeJsonAtomic(nodePath.join(c.folder, SPEC_FILE), spec);
  const catalog = catalogOf(c);
  const local = c.spec.output.catalog === 'local';
  const created = readJson<{ created: string }>(c.folder, 'manifest.json')?.created ?? now().toISOString();
  const model = nodePath.basename(c.checkpoint).replace(/\.bin$/, '');
  const stageRecords = new Map<string, RunStage>();
  const manifest = (status: 'running' | 'complete' | 'failed', error?: string): RunManifestInput => {
    const front = readJson<{ members: unknown[]; hypervolume?: number }>(c.folder, FRONT_JSON);
    return {
      format: 1, id, status, created, updated: now().toISOString(), spec: spec as unknown as Record<string, unknown>, seeds: { run: spec.seed },
      versions: packageVersions(['@carve/pipeline', '@carve/engine', '@carve/model', '@carve/trainer', '@carve/optimizer', 'onnxruntime-node']), stages: [...stageRecords.values()],
      summary: { model, objectives: spec.search.objectives.map((o) => o.name), ...(front ? { frontSize: front.members.length, ...(front.hypervolume !== undefined ? { hypervolume: front.hypervolume } : {}) } : {}) },
      device: { requested: device.requested, provider: device.provider, description: device.description },
      ...(error ? { error } : {}),
    };
  };
  const publish = async (status: 'running' | 'complete' | 'failed', error?: string) => {
    // The manifest goes last, so a reader never sees a run whose files are not all there.
    if (local) await catalog.writeManifest(id, manifest(status, error));
    else await catalog.publishRun(id, c.folder, manifest(status, error));
  };
  const stages = compressStages(spec, () => info());
  const info = (): ReportInfo => ({ id, model, status: 'complete', created, timings: timings(c.folder, stages.map((s) => s.name)), spec });
  await publish('running');
  try {
    const { plan, seconds } = await runStages(stages, c, c.folder, {
      onStage: (e) => {
        const reason = e.decision.action === 'run' ? `${e.decision.reason}${e.decision.detail ? `: ${e.decision.detail}` : ''}` : undefined;
        if (e.phase === 'start') stageRecords.set(e.stage, { name: e.stage, status: 'running', started: now().toISOString() });
        if (e.phase === 'done') stageRecords.set(e.stage, { ...stageRecords.get(e.stage)!, status: 'complete', seconds: e.seconds, peakRssMb: peakRssMb() });
        if (e.phase === 'skip') stageRecords.set(e.stage, { name: e.stage, status: 'skipped' });
        options.onStage?.({ stage: e.stage, phase: e.phase, reason, seconds: e.seconds, peakRssMb: e.phase === 'done' ? peakRssMb() : undefined });
      },
      // Published between stages, while no file of the folder is being written: a run
      // interrupted later continues from every stage published so far.
      afterStage: async () => {
        if (!local) await publish('running');
      },
    });
    await publish('complete');
    return { id, folder: c.folder, plan, seconds, report: nodePath.join(c.folder, RUN_FILES.report), front: nodePath.join(c.folder, FRONT_JSON) };
  } catch (e) {
    for (const [name, stage] of stageRecords) if (stage.status === 'running') stageRecords.set(name, { ...stage, status: 'failed' });
    await publish('failed', (e as Error).message).catch(() => undefined);
    throw e;
  }
}
