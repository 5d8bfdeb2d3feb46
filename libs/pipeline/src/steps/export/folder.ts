/**
 * @module steps/export/folder
 * Output folders of the steps, which appear whole or not at all, and the JSON they hold.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

export interface ReplaceFolderOptions {
  /** Called after `write`, just before the rename: throw to keep the old folder (it may have appeared meanwhile). */
  beforeReplace?: () => void;
  /** The error to throw when the temporary folder cannot be created in `parent`. */
  createError?: (parent: string, cause: NodeJS.ErrnoException) => Error;
}

/**
 * Runs `write(temp)` on a new temporary folder beside `folder`, then renames it to `folder`,
 * replacing what was there only once the new one is complete: a failure (or a kill) leaves
 * the old folder as it was and no half-written one in its place.
 */
export async function replaceFolderAtomically<T>(folder: string, write: (temp: string) => Promise<T> | T, options: ReplaceFolderOptions = {}): Promise<T> {
  const target = nodePath.resolve(folder);
  const parent = nodePath.dirname(target);
  // Beside the target, so the renames stay within one file system (and are atomic). Not
  // mkdtemp: its 0700 mode would end up on the folder; mkdir honours the umask.
  const temp = nodePath.join(parent, `.${nodePath.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(temp, { recursive: true });
  } catch (e) {
    throw options.createError?.(parent, e as NodeJS.ErrnoException) ?? e;
  }
  let old: string | undefined;
  let result: T;
  try {
    result = await write(temp);
    options.beforeReplace?.();
    if (fs.existsSync(target)) {
      old = `${temp}.old`;
      fs.renameSync(target, old);
    }
    fs.renameSync(temp, target);
  } catch (e) {
    if (old && !fs.existsSync(target)) fs.renameSync(old, target);
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  if (old) fs.rmSync(old, { recursive: true, force: true });
  return result;
}

/** Indented JSON with arrays of numbers on one line (long score lists stay readable), ending with a newline. */
export function compactJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/\[[-\d.e+,\s]*\]/g, (array) => array.replace(/\s+/g, ''))}\n`;
}
