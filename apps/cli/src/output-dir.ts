/**
 * @module output-dir
 * Output folders that appear whole or not at all: a command writes into a temporary folder
 * beside the target and renames it into place at the end, so a failure leaves no half
 * result, and `--force` replaces an existing folder only once the new one is complete.
 */
import * as fs from 'node:fs';
import { replaceFolderAtomically } from '@carve/pipeline';
import { CliError } from './errors';

/** The problem with writing `out`, if any: it exists (and `force` is off) or is not a folder. */
export function outputIssue(out: string, force: boolean): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(out);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return `--out ${out}: exists and is not a folder; pass a new folder name`;
  if (!force) return `--out ${out}: already exists; pass --force to replace it, or another folder`;
  return undefined;
}

/**
 * Runs `write(temp)` on a new temporary folder beside `out`, then renames it to `out`. An
 * existing `out` (allowed only with `force`) is moved aside first and removed after the
 * new one is in place; on any failure the temporary folder goes and the old `out` stays.
 */
export function writeFolderAtomically<T>(out: string, force: boolean, write: (temp: string) => Promise<T> | T): Promise<T> {
  return replaceFolderAtomically(out, write, {
    beforeReplace: () => {
      const issue = outputIssue(out, force); // checked again: it may have appeared meanwhile
      if (issue) throw new CliError(issue);
    },
    createError: (parent, e) => new CliError(`--out ${out}: cannot create a folder in ${parent} (${e.code ?? e.message})`),
  });
}
