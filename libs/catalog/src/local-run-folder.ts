/**
 * @module local-run-folder
 * The files of a run folder on disk, with the size and SHA-256 that let a publish skip
 * what the catalog already holds. Hashes are streamed: a run's exported models may be
 * larger than memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CatalogError } from './errors';
import { RunFile } from './manifest';

/**
 * The lock a process holds on a run folder while it works in it (pid, host, token: see
 * @carve/pipeline's compress/run-lock). It belongs to that process, not to the run, so it is
 * never one of the run's files: published, a retried cloud job would fetch back a lock of a
 * host that is gone and be refused.
 */
export const RUN_LOCK_FILE = 'run.lock';

/** A file of the folder: its '/'-separated name in it, where it is, its size and hash. */
export interface LocalRunFile extends RunFile {
  readonly path: string;
}

/** Every regular file under `folder` but its lock (RUN_LOCK_FILE), sorted by name; `skip` names more files to leave out. */
export async function readRunFolder(folder: string, skip: ReadonlySet<string>): Promise<LocalRunFile[]> {
  const stat = await fs.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw new CatalogError(`run folder ${folder} ${stat ? 'is not a folder' : 'does not exist'}`, 'catalog_io');
  const names = (await fs.readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => nodePath.relative(folder, nodePath.join(entry.parentPath, entry.name)).split(nodePath.sep).join('/'))
    .filter((name) => name !== RUN_LOCK_FILE && !skip.has(name))
    .sort();
  const files: LocalRunFile[] = [];
  for (const name of names) {
    const path = nodePath.join(folder, ...name.split('/'));
    const hash = createHash('sha256');
    await pipeline(createReadStream(path), hash);
    files.push({ name, path, size: (await fs.stat(path)).size, sha256: hash.digest('hex') });
  }
  return files;
}
