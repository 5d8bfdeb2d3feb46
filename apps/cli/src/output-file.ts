/**
 * @module output-file
 * Output files that appear whole or not at all: each is written to a temporary file beside
 * its target and renamed into place once every file of the result is written, so a failure
 * leaves no half result, and `--force` replaces existing files only at the end.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { CliError } from './errors';

export interface OutputFile {
  path: string;
  content: string;
}

/** The problem with writing file `path` (named after `option`), if any: it exists (and `force` is off) or is a folder. */
export function outputFileIssue(option: string, path: string, force: boolean): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    return undefined;
  }
  if (stat.isDirectory()) return `${option} ${path}: is a folder; pass a file name`;
  if (!force) return `${option} ${path}: already exists; pass --force to replace it, or another file name`;
  return undefined;
}

/**
 * Writes every file to a temporary file beside it, then renames each into place. `option`
 * names the option the paths came from, for messages; an existing file is replaced only
 * with `force` (checked again just before the renames). On any failure no temporary file stays.
 */
export function writeFilesAtomically(option: string, files: readonly OutputFile[], force: boolean): void {
  const temps: string[] = [];
  try {
    for (const file of files) {
      const target = nodePath.resolve(file.path);
      const temp = nodePath.join(nodePath.dirname(target), `.${nodePath.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        fs.mkdirSync(nodePath.dirname(target), { recursive: true });
        fs.writeFileSync(temp, file.content, { flag: 'wx' });
      } catch (e) {
        throw new CliError(`${option} ${file.path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      temps.push(temp);
    }
    const issues = files.flatMap((file) => outputFileIssue(option, file.path, force) ?? []); // they may have appeared meanwhile
    if (issues.length) throw new CliError(issues.join('; '));
    files.forEach((file, i) => fs.renameSync(temps[i], nodePath.resolve(file.path)));
  } catch (e) {
    for (const temp of temps) fs.rmSync(temp, { force: true });
    throw e;
  }
}
