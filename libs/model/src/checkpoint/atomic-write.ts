/**
 * @module checkpoint/atomic-write
 * Writes a file so that readers see either the old file or the complete new one: the
 * bytes go to a temporary file in the same folder, which is then renamed over the target
 * (a rename within one file system is atomic). An interrupted save leaves no half file.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { CheckpointError } from './checkpoint';

/** Writes `path` through `write(fd)` atomically; the folder must exist. */
export function writeFileAtomic(path: string, write: (fd: number) => void): void {
  const dir = nodePath.dirname(path);
  const temp = nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'w');
    write(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check that the folder exists and is writable`, 'not_found', path);
  }
}

/** Writes all of `bytes` at the file's current position. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/** Writes `text` as UTF-8, atomically. */
export function writeTextAtomic(path: string, text: string): void {
  writeFileAtomic(path, (fd) => writeAll(fd, Buffer.from(text, 'utf8')));
}

/** Writes `value` as indented JSON, atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
