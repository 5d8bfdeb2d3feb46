/**
 * @module compress/leftovers
 * The temporary files and folders that processes killed in a run folder left behind. Every
 * writer of a run's files writes under a temporary name holding its pid and renames the
 * result into place, so a kill never leaves a half-written file where a reader looks; but
 * nothing removes the temporary then, and a run published to S3 uploads every file of its
 * folder. The process that holds the folder's lock next removes them: no other process
 * writes in the folder meanwhile, so a temporary whose pid no longer runs is abandoned.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isRunning } from '../processes';

/** The temporary names of the writers, each capturing its pid. */
const TEMPORARY_NAMES: readonly RegExp[] = [
  /^\..+\.(\d+)\.\d+\.tmp$/, // writeFileAtomic (@carve/model): .<name>.<pid>.<ms>.tmp
  /^\..+\.tmp-(\d+)(?:-[0-9a-f]+)?(?:\.old)?$/, // replaceFolderAtomically: .<name>.tmp-<pid>-<hex>[.old]; createRunFolder: .<name>.tmp-<pid>
  /^\..+\.(\d+)-[0-9a-f]+\.carve-tmp$/, // the local catalog backend: .<name>.<pid>-<hex>.carve-tmp
  /^.+\.(\d+)\.fetch$/, // Catalog.fetchRun: <name>.<pid>.fetch
];

/** The pid in `name` if it is a writer's temporary name. */
function temporaryPid(name: string): number | undefined {
  for (const pattern of TEMPORARY_NAMES) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined) return Number(pid);
  }
  return undefined;
}

/**
 * Removes, anywhere under `folder`, the temporaries of processes that no longer run (not this
 * one's); returns their paths relative to `folder`. Call it holding the folder's lock.
 */
export function removeLeftovers(folder: string): string[] {
  const removed: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const path = nodePath.join(dir, entry.name);
      const pid = temporaryPid(entry.name);
      if (pid !== undefined && pid !== process.pid && !isRunning(pid)) {
        fs.rmSync(path, { recursive: true, force: true });
        removed.push(nodePath.relative(folder, path));
      } else if (entry.isDirectory()) walk(path);
    }
  };
  walk(folder);
  return removed.sort();
}
