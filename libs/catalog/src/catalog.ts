/**
 * @module catalog
 * The results catalog over a backend: runs are published as `runs/<id>/` with their
 * artifacts and, written last, their manifest; queries see only runs with a manifest, so
 * a run being published (or one whose publish failed) is never seen half-written.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { oneLine } from '@carve/errors';
import { CatalogBackend } from './backend';
import { compareFrontFiles, FrontComparison } from './compare';
import { CatalogError } from './errors';
import { FRONT_FILE, frontFileSchema } from './front';
import { checkKey } from './keys';
import { readRunFolder } from './local-run-folder';
import { RunManifest, RunManifestInput, runManifestSchema, RunStatus } from './manifest';
import { checkRunId } from './run-id';
import { checkValue, parseRunFile } from './run-file';

/** The manifest's name in a run's folder. */
export const MANIFEST_FILE = 'manifest.json';
const RUNS = 'runs/';
const MANIFEST_KEY = /^runs\/([^/]+)\/manifest\.json$/;
/** How many ids an unknown-run error lists at most (the most recent: ids sort by time). */
const IDS_SHOWN = 20;

/** A run as listings show it. */
export interface RunSummary {
  readonly id: string;
  readonly status: RunStatus;
  readonly created: string;
  readonly updated: string;
  readonly model?: string;
  readonly objectives: readonly string[];
  readonly frontSize?: number;
  readonly hypervolume?: number;
}

/** A run's manifest and the names of its files (relative to its folder, the manifest included). */
export interface RunDetails {
  readonly manifest: RunManifest;
  readonly files: readonly string[];
}

/** What `publishRun` did with each file of the folder. */
export interface PublishResult {
  readonly uploaded: readonly string[];
  /** Already in the catalog with the same size and SHA-256, so not sent again. */
  readonly unchanged: readonly string[];
}

/** A catalog of compression runs in a backend (a local folder, an S3 bucket...). */
export class Catalog {
  constructor(readonly backend: CatalogBackend) {}

  /**
   * Stores every file of `localFolder` under `runs/<id>/` (streaming; files recorded with the
   * same size and SHA-256 by an earlier publish are skipped), then the manifest, with the
   * files listed, last: only once every file is stored (each write confirmed by the backend),
   * so a publish that fails leaves no manifest, or the earlier one. A `manifest.json` in the
   * folder is replaced by `manifest`. Publishing again after a failure completes the run.
   */
  async publishRun(id: string, localFolder: string, manifest: RunManifestInput): Promise<PublishResult> {
    const checked = this.checkManifest(id, manifest);
    const files = await readRunFolder(localFolder, new Set([MANIFEST_FILE]));
    // Names are checked before anything is sent, so a bad name cannot leave a partial upload.
    for (const file of files) checkKey(runKey(id, file.name));
    const previous = await this.readManifest(id).catch((e: unknown) => {
      // A broken manifest is about to be replaced; it only costs the skipping.
      if (e instanceof CatalogError && e.code === 'invalid_run_file') return undefined;
      throw e;
    });
    const recorded = new Map(previous?.files.map((f) => [f.name, f]));
    const replaced = new Set(files.filter((f) => recorded.has(f.name) && !sameRecord(recorded.get(f.name)!, f)).map((f) => f.name));
    if (previous && replaced.size > 0) {
      // Until the new manifest is in, a replaced object would not be what the old manifest
      // records (fetchRun would refuse it, and a retried cloud job fail): the old manifest is
      // first rewritten without those files, so a publish failing part-way leaves a true one.
      await this.putManifest({ ...previous, files: previous.files.filter((f) => !replaced.has(f.name)) });
    }
    const stored = new Set(await this.backend.list(`${RUNS}${id}/`));
    const uploaded: string[] = [];
    const unchanged: string[] = [];
    for (const file of files) {
      const before = recorded.get(file.name);
      if (before && sameRecord(before, file) && stored.has(runKey(id, file.name))) {
        unchanged.push(file.name);
        continue;
      }
      await this.backend.putFile(runKey(id, file.name), file.path);
      uploaded.push(file.name);
    }
    await this.putManifest({ ...checked, files: files.map(({ name, size, sha256 }) => ({ name, size, sha256 })) });
    return { uploaded, unchanged };
  }

  /**
   * Copies the files of run `id` that its manifest lists into `localFolder` (each written to a
   * temporary name, checked against its recorded SHA-256, then renamed), skipping those already
   * there with the recorded size and hash: what a retried cloud job does to continue a run
   * from what the previous attempt published. A run without a manifest fetches nothing.
   */
  async fetchRun(id: string, localFolder: string): Promise<{ fetched: string[]; unchanged: string[] }> {
    const manifest = await this.readManifest(id);
    const fetched: string[] = [];
    const unchanged: string[] = [];
    for (const file of manifest?.files ?? []) {
      const key = checkKey(runKey(id, file.name));
      const target = nodePath.join(localFolder, ...file.name.split('/'));
      if (sameFile(target, file)) {
        unchanged.push(file.name);
        continue;
      }
      const bytes = await this.backend.get(key);
      if (bytes === undefined) throw this.error(`${key}: listed in the manifest of run '${id}' but not stored`, 'invalid_run_file');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== file.sha256) throw this.error(`${key}: its SHA-256 ${sha256} is not the manifest's ${file.sha256}`, 'invalid_run_file');
      fs.mkdirSync(nodePath.dirname(target), { recursive: true });
      const temporary = `${target}.${process.pid}.fetch`;
      fs.writeFileSync(temporary, bytes);
      fs.renameSync(temporary, target);
      fetched.push(file.name);
    }
    return { fetched, unchanged };
  }

  /** Writes the manifest of run `id` (checked against the schema first), making the run visible. */
  async writeManifest(id: string, manifest: RunManifestInput): Promise<RunManifest> {
    const checked = this.checkManifest(id, manifest);
    await this.putManifest(checked);
    return checked;
  }

  /**
   * Removes run `id`: its manifest first, so the run is invisible at once and a removal that
   * fails part-way leaves no visible half run, then its other files.
   */
  async removeRun(id: string): Promise<void> {
    await this.requireManifest(id);
    await this.backend.remove(runKey(id, MANIFEST_FILE));
    await this.backend.remove(`${RUNS}${id}/`);
  }

  /** Every run with a manifest, oldest first. Invalid manifests are reported together. */
  async listRuns(): Promise<RunSummary[]> {
    const ids = await this.runIds();
    const read = await Promise.allSettled(ids.map((id) => this.readManifest(id)));
    const problems = rejections(read);
    if (problems.length > 0) {
      const invalid = problems.every((e) => e instanceof CatalogError && e.code === 'invalid_run_file');
      throw combine(problems, invalid ? `fix or remove ${problems.length === 1 ? 'that run' : 'those runs'} to list the catalog` : undefined);
    }
    return read
      .flatMap((r) => (r.status === 'fulfilled' && r.value ? [summarize(r.value)] : []))
      .sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The manifest and file names of run `id`; an unknown id throws, listing the known ones. */
  async showRun(id: string): Promise<RunDetails> {
    const manifest = await this.requireManifest(id);
    const folder = `${RUNS}${id}/`;
    return { manifest, files: (await this.backend.list(folder)).map((key) => key.slice(folder.length)) };
  }

  /** The JSON file `name` (`front.json`, `stages/search.json`) of run `id`, parsed. */
  async readJson(id: string, name: string): Promise<unknown> {
    await this.requireManifest(id);
    const key = checkKey(runKey(id, name));
    const bytes = await this.backend.get(key);
    if (bytes === undefined) {
      const { files } = await this.showRun(id);
      throw this.error(`run '${id}' has no file ${name}; its files: ${files.join(', ')}`, 'unknown_run');
    }
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw this.error(`${key}: not valid JSON (${oneLine((e as Error).message)})`, 'invalid_run_file');
    }
  }

  /**
   * The fronts of runs `ids` side by side (see {@link FrontComparison}); every run must have a
   * `front.json`. Problems with any of them are reported together.
   */
  async compareFronts(ids: readonly string[]): Promise<FrontComparison> {
    if (ids.length === 0) throw this.error('compare needs at least one run id', 'unknown_run');
    const read = await Promise.allSettled(
      ids.map(async (id) => {
        const manifest = await this.requireManifest(id);
        const bytes = await this.backend.get(runKey(id, FRONT_FILE));
        if (bytes === undefined) throw this.error(`run '${id}' (${manifest.status}) has no ${FRONT_FILE}`, 'unknown_run');
        return { id, front: parseRunFile(frontFileSchema, bytes, this.label(runKey(id, FRONT_FILE))) };
      }),
    );
    const problems = rejections(read);
    if (problems.length > 0) throw combine(problems);
    return compareFrontFiles(read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  }

  /** The manifest of run `id`, or undefined when the run has none (it is not visible). */
  private async readManifest(id: string): Promise<RunManifest | undefined> {
    const key = runKey(checkRunId(id), MANIFEST_FILE);
    const bytes = await this.backend.get(key);
    if (bytes === undefined) return undefined;
    const manifest = parseRunFile(runManifestSchema, bytes, this.label(key));
    if (manifest.id !== id) throw this.error(`${key}: id: '${manifest.id}' does not match the run's folder '${id}'`, 'invalid_run_file');
    return manifest;
  }

  private async requireManifest(id: string): Promise<RunManifest> {
    const manifest = await this.readManifest(id);
    if (manifest) return manifest;
    const ids = await this.runIds();
    const shown = ids.slice(-IDS_SHOWN);
    const known =
      ids.length === 0
        ? 'the catalog has no runs yet'
        : `known runs${ids.length > shown.length ? ` (the ${shown.length} most recent of ${ids.length})` : ''}: ${shown.join(', ')}`;
    throw this.error(`no run '${id}'; ${known}`, 'unknown_run');
  }

  /** Ids of the runs that have a manifest, sorted (which is by time for generated ids). */
  private async runIds(): Promise<string[]> {
    const keys = await this.backend.list(RUNS);
    return keys.flatMap((key) => MANIFEST_KEY.exec(key)?.[1] ?? []).sort();
  }

  private checkManifest(id: string, manifest: RunManifestInput): RunManifest {
    checkRunId(id);
    const checked = checkValue(runManifestSchema, manifest);
    const issues = checked.ok ? [] : checked.issues;
    if (checked.ok && checked.value.id !== id) issues.push(`id: '${checked.value.id}' does not match the run id '${id}'`);
    if (!checked.ok || issues.length > 0) throw new CatalogError(`manifest of run '${id}': ${issues.join('; ')}`, 'invalid_run_file', issues);
    return checked.value;
  }

  private async putManifest(manifest: RunManifest): Promise<void> {
    await this.backend.putBytes(runKey(manifest.id, MANIFEST_FILE), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  }

  /** `catalog <where>: <key>`, how messages name a file of the catalog. */
  private label(key: string): string {
    return `catalog ${this.backend.describe()}: ${key}`;
  }

  private error(what: string, code: CatalogError['code']): CatalogError {
    return new CatalogError(`catalog ${this.backend.describe()}: ${what}`, code);
  }
}

function runKey(id: string, name: string): string {
  return `${RUNS}${id}/${name}`;
}

/** Whether two records describe the same bytes. */
function sameRecord(a: { size: number; sha256: string }, b: { size: number; sha256: string }): boolean {
  return a.size === b.size && a.sha256 === b.sha256;
}

/** Whether `path` holds a file of the recorded size and SHA-256. */
function sameFile(path: string, file: { size: number; sha256: string }): boolean {
  const stat = fs.statSync(path, { throwIfNoEntry: false });
  return stat?.isFile() === true && stat.size === file.size && createHash('sha256').update(fs.readFileSync(path)).digest('hex') === file.sha256;
}

function summarize(m: RunManifest): RunSummary {
  const { model, objectives = [], frontSize, hypervolume } = m.summary;
  return { id: m.id, status: m.status, created: m.created, updated: m.updated, model, objectives, frontSize, hypervolume };
}

function rejections(results: readonly PromiseSettledResult<unknown>[]): unknown[] {
  return results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
}

/**
 * One error for the problems of several runs, each message on its line, `advice` last. Anything
 * but a CatalogError is a bug, rethrown as it is so that it keeps its stack.
 */
function combine(problems: readonly unknown[], advice?: string): Error {
  const bug = problems.find((e) => !(e instanceof CatalogError));
  if (bug !== undefined) return bug instanceof Error ? bug : new Error(String(bug));
  const errors = problems as CatalogError[];
  const lines = [...errors.map((e) => e.message), ...(advice ? [advice] : [])];
  return new CatalogError(lines.join('\n'), errors[0].code, errors.flatMap((e) => e.issues));
}
