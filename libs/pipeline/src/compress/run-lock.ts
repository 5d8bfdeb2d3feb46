/**
 * @module compress/run-lock
 * The lock a process holds on a run folder while it works in it: `run.lock` in the folder,
 * created with O_EXCL (so of two processes exactly one creates it), holding who holds it
 * (pid, host, start time) and a token that tells this holder from any other. A second
 * process is refused at once with a UserError naming the holder, rather than interleaving
 * its writes with the first's (two runs skipping, redoing and publishing one folder's stages
 * would each believe the other's half-written files). The lock is removed when the work ends,
 * normally or by an error; a process killed outright leaves it behind, and the next process
 * on this host takes it over once the holder's pid no longer runs. A lock of another host
 * (a shared folder) is never judged from here: the message says how to remove it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { RUN_LOCK_FILE } from '@carve/catalog';
import { oneLine, preview, UserError } from '@carve/errors';
import { isRunning } from '../processes';

export { RUN_LOCK_FILE };

/** What `run.lock` holds. */
export interface RunLockHolder {
  pid: number;
  hostname: string;
  /** When the holder took the lock (ISO 8601). */
  started: string;
  /** Random: tells this holder's lock from another's, also after a pid is reused. */
  token: string;
}

/** A lock this process holds; `release` removes it (only while it is still this lock). */
export interface RunLock {
  readonly file: string;
  readonly holder: RunLockHolder;
  release(): void;
}

export interface RunLockOptions {
  /** Told a line worth the user's attention (a stale lock taken over). */
  onNote?: (line: string) => void;
}

/**
 * A lock that does not parse is being written (the file exists an instant before its bytes)
 * or was torn by a kill in that instant: it is waited for until it is this old, then taken over.
 */
const UNREADABLE_GRACE_MS = 2000;
const RETRY_MS = 50;

/** Tokens of the locks this process holds: its own pid in a lock means this process only with one of them (else the pid was reused, as in a restarted container). */
const held = new Set<string>();

/** The run folder is locked by another process. */
export class RunLockedError extends UserError {
  override readonly name = 'RunLockedError';
  constructor(message: string) {
    super(message, 'run_locked');
  }
}

/**
 * Locks `folder` (which must exist) for this process, taking over a stale lock (its pid no
 * longer runs on this host) with a note; throws a RunLockedError if a live process on this
 * host, or any process of another host, holds it.
 */
export async function lockRunFolder(folder: string, options: RunLockOptions = {}): Promise<RunLock> {
  const file = nodePath.join(folder, RUN_LOCK_FILE);
  const holder: RunLockHolder = { pid: process.pid, hostname: os.hostname(), started: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  for (;;) {
    try {
      // One write of a few dozen bytes right after the exclusive create: a reader sees all of it or (for an instant) none.
      fs.writeFileSync(file, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
      held.add(holder.token);
      return { file, holder, release: () => release(file, holder.token) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const text = readText(file);
    if (text === undefined) continue; // released meanwhile: try again
    const other = parseHolder(text);
    if (!other) {
      if (Date.now() < modifiedMs(file) + UNREADABLE_GRACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (takeOver(file, text, holder.token)) options.onNote?.(`${folder}: took over an unreadable lock (${text.trim() === '' ? 'an empty file' : preview(text, 60)}), left by a process killed as it took it`);
      continue;
    }
    const age = ageOf(other.started, new Date());
    // The lock's strings go into one-line messages; a hand-edited one may hold a line break.
    const [host, since] = [oneLine(other.hostname), oneLine(other.started)];
    if (other.hostname !== holder.hostname) {
      throw new RunLockedError(
        `${folder} is locked by pid ${other.pid} on host '${host}' since ${since} (${age} ago); whether it still runs cannot be told from '${holder.hostname}': if no carve runs there on this folder, remove ${file} and run again`,
      );
    }
    if (holderRuns(other)) {
      const who = other.pid === process.pid ? 'this process (another run in it)' : `pid ${other.pid}`;
      throw new RunLockedError(`${folder} is in use: ${who} has held it since ${since} (${age} ago); wait for it to end or stop it, then run again (if pid ${other.pid} is no carve, remove ${file})`);
    }
    if (takeOver(file, text, holder.token)) options.onNote?.(`${folder}: took over the lock of pid ${other.pid} (started ${since}, ${age} ago), which no longer runs`);
  }
}

/** Runs `work` holding the lock of `folder`, and releases it however `work` ends. */
export async function withRunLock<T>(folder: string, options: RunLockOptions, work: () => Promise<T>): Promise<T> {
  const lock = await lockRunFolder(folder, options);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/** The holder of `folder`'s lock, if it has a readable one. */
export function readRunLock(folder: string): RunLockHolder | undefined {
  const text = readText(nodePath.join(folder, RUN_LOCK_FILE));
  return text === undefined ? undefined : parseHolder(text);
}

/** Removes the lock if it is still the one with `token` (a lock taken over from this process is no longer its own). */
function release(file: string, token: string): void {
  held.delete(token);
  if (parseHolder(readText(file) ?? '')?.token === token) fs.rmSync(file, { force: true });
}

/**
 * Removes the stale lock `file` whose text was `seen`, unless it changed since it was read
 * (another process took it over first and wrote its own): the lock is renamed aside (of two
 * renames of one file, one wins) and compared there; another's lock is linked back (a link
 * never replaces a file) and left alone. `token` names the aside file. Returns whether this
 * call removed the stale lock. Exported for its test, which plays that race out.
 */
export function takeOver(file: string, seen: string, token: string): boolean {
  const aside = `${file}.${token}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false; // another process removed it first
    throw e;
  }
  try {
    if (readText(aside) === seen) return true;
    try {
      fs.linkSync(aside, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    return false;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Whether the holder (on this host) still runs; this process's pid is this process only with a token it holds. */
function holderRuns(holder: RunLockHolder): boolean {
  return holder.pid === process.pid ? held.has(holder.token) : isRunning(holder.pid);
}

/** When `file` was last written (0 if it is gone: nothing to wait for). */
function modifiedMs(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function parseHolder(text: string): RunLockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<RunLockHolder>;
    const valid = Number.isInteger(h.pid) && (h.pid as number) > 0 && typeof h.hostname === 'string' && typeof h.started === 'string' && typeof h.token === 'string';
    return valid ? (h as RunLockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** `since` to `now` in words: 12 s, 5 min, 3 h, 2 d ('?' for a date that does not parse). */
function ageOf(since: string, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - Date.parse(since)) / 1000);
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}
