/**
 * @module steps/export/folder
 * Output folders of the steps, which appear whole or not at all, and the JSON they hold.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/**
 * Runs `write(temp)` on a new temporary folder beside `folder`, then renames it to `folder`,
 * replacing what was there only once the new one is complete: a failure (or a kill) leaves
 * the old folder as it was and no half-written one in its place.
 */
export async function replaceFolderAtomically<T>(folder: string, write: (temp: string) => Promise<T> | T): Promise<T> {
  const target = nodePath.resolve(folder);
  // Beside the target, so the renames stay within one file system (and are atomic).
  const temp = nodePath.join(nodePath.dirname(target), `.${nodePath.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(temp, { recursive: true });
  let old: string | undefined;
  let result: T;
  try {
    result = await write(temp);
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
