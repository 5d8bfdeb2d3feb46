/**
 * @module local-backend
 * The catalog in a local folder: each key is a file under the root. A write goes to a
 * temporary file in the target's own folder, is flushed to disk, and is renamed over the
 * target; a rename within one file system is atomic, so no half-written file is ever visible.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { CatalogBackend } from './backend';
import { CatalogError } from './errors';
import { checkKey, checkPrefix, TEMP_SUFFIX } from './keys';

/** A catalog backend over the folder `root` (created on the first write). */
export class LocalBackend implements CatalogBackend {
  readonly root: string;

  constructor(root: string) {
    this.root = nodePath.resolve(root);
  }

  describe(): string {
    return `local folder ${this.root}`;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const stat = await fs.stat(localPath).catch(() => undefined);
    if (!stat?.isFile()) throw this.error(`cannot store ${key}: ${localPath} is not a file (${stat ? 'a folder or device' : 'it does not exist'})`);
    // copyFile streams in the kernel, so a large export never passes through memory.
    await this.writeAtomically(key, (temp) => fs.copyFile(localPath, temp));
  }

  async putBytes(key: string, data: Uint8Array): Promise<void> {
    await this.writeAtomically(key, (temp) => fs.writeFile(temp, data, { flag: 'wx' }));
  }

  async get(key: string): Promise<Buffer | undefined> {
    // Outside the try: a refused key is an invalid_name error, not a failed read.
    const path = this.path(key);
    try {
      return await fs.readFile(path);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw this.error(`cannot read ${key} (${errorCode(e)})`, e);
    }
  }

  async exists(key: string): Promise<boolean> {
    const stat = await fs.stat(this.path(key)).catch((e: unknown) => {
      if (isMissing(e)) return undefined;
      throw this.error(`cannot look up ${key} (${errorCode(e)})`, e);
    });
    return stat?.isFile() ?? false;
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    // Only the folder the prefix names can hold matching keys; walk that, not the whole root.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys = await this.walk(folder);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async remove(prefix: string): Promise<void> {
    const keys = await this.list(prefix);
    for (const key of keys) {
      await fs.rm(this.path(key), { force: true }).catch((e: unknown) => {
        throw this.error(`cannot remove ${key} (${errorCode(e)})`, e);
      });
    }
    // Empty folders are no objects, but they would linger in the root: prune them.
    for (const folder of [...new Set(keys.map((key) => nodePath.posix.dirname(key)))]) await this.pruneEmpty(folder);
  }

  /** The file of `key`. */
  private path(key: string): string {
    return nodePath.join(this.root, ...checkKey(key).split('/'));
  }

  /** Runs `fill(temp)` on a fresh temporary file beside `key`'s file, then renames it over. */
  private async writeAtomically(key: string, fill: (temp: string) => Promise<void>): Promise<void> {
    const target = this.path(key);
    const temp = nodePath.join(nodePath.dirname(target), `.${nodePath.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
    try {
      await fs.mkdir(nodePath.dirname(target), { recursive: true });
      await fill(temp);
      // Without the flush, a crash after the rename could leave an empty file under the name.
      const handle = await fs.open(temp, 'r+');
      await handle.sync().finally(() => handle.close());
      await fs.rename(temp, target);
    } catch (e) {
      await fs.rm(temp, { force: true });
      throw this.error(`cannot write ${key} (${errorCode(e)}); check that the folder is writable and has space`, e);
    }
  }

  /** Keys of every file under `folder` (a key prefix without trailing '/'), temporary files left out. */
  private async walk(folder: string): Promise<string[]> {
    const dir = folder === '' ? this.root : nodePath.join(this.root, ...folder.split('/'));
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
      if (isMissing(e)) return [];
      throw this.error(`cannot list ${dir} (${errorCode(e)})`, e);
    });
    const keys: string[] = [];
    for (const entry of entries) {
      const key = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) keys.push(...(await this.walk(key)));
      else if (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX)) keys.push(key);
    }
    return keys;
  }

  /** Removes `folder` and its parents below the root while they are empty. */
  private async pruneEmpty(folder: string): Promise<void> {
    for (let f = folder; f !== '.' && f !== ''; f = nodePath.posix.dirname(f)) {
      const removed = await fs.rmdir(nodePath.join(this.root, ...f.split('/'))).then(
        () => true,
        () => false,
      );
      if (!removed) return;
    }
  }

  private error(what: string, cause?: unknown): CatalogError {
    return new CatalogError(`catalog ${this.describe()}: ${what}`, 'catalog_io', undefined, cause);
  }
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** ENOENT, or ENOTDIR when part of the path is a file: either way, nothing is stored there. */
function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
