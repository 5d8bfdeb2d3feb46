import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lockRunFolder, readRunLock, RUN_LOCK_FILE, RunLockHolder, takeOver, withRunLock } from './run-lock';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-run-lock-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh, empty run folder. */
const folder = () => {
  const dir = path.join(tmp, `run-${n++}`);
  fs.mkdirSync(dir);
  return dir;
};
const writeLock = (dir: string, holder: Partial<RunLockHolder>) =>
  fs.writeFileSync(path.join(dir, RUN_LOCK_FILE), JSON.stringify({ pid: process.pid, hostname: os.hostname(), started: new Date().toISOString(), token: 'feedfacefeedface', ...holder }));
const lockText = (dir: string) => fs.readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8');

/** The pid of a process that has ended (a child that exited at once). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));
/** The pid of a process that runs until the tests end. */
function livePid(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

test('the lock holds pid, host, start time and a token, and is removed by its release', async () => {
  const dir = folder();
  const lock = await lockRunFolder(dir);
  expect(readRunLock(dir)).toEqual({ pid: process.pid, hostname: os.hostname(), started: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), token: expect.stringMatching(/^[0-9a-f]{16}$/) });
  expect(readRunLock(dir)).toEqual(lock.holder);
  lock.release();
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a live process on this host holds the folder: refused in one line naming it, its lock untouched', async () => {
  const dir = folder();
  const pid = livePid();
  writeLock(dir, { pid, started: new Date(Date.now() - 90_000).toISOString() });
  const before = lockText(dir);
  const refusal = lockRunFolder(dir);
  await expect(refusal).rejects.toMatchObject({ name: 'RunLockedError', code: 'run_locked' });
  await expect(refusal).rejects.toThrow(new RegExp(`^${dir} is in use: pid ${pid} has held it since \\S+ \\(90 s ago\\); wait for it to end or stop it, then run again \\(if pid ${pid} is no carve, remove ${path.join(dir, RUN_LOCK_FILE)}\\)$`));
  expect(lockText(dir)).toBe(before);
});

test('a second lock in this same process is refused while the first is held', async () => {
  const dir = folder();
  await withRunLock(dir, {}, async () => {
    await expect(lockRunFolder(dir)).rejects.toThrow(/is in use: this process \(another run in it\) has held it since/);
  });
  expect(fs.existsSync(path.join(dir, RUN_LOCK_FILE))).toBe(false);
});

test('the lock of a pid that no longer runs is taken over, with a note', async () => {
  const dir = folder();
  const pid = await deadPid();
  writeLock(dir, { pid, started: new Date(Date.now() - 300_000).toISOString() });
  const notes: string[] = [];
  const lock = await lockRunFolder(dir, { onNote: (line) => notes.push(line) });
  expect(notes).toEqual([expect.stringMatching(new RegExp(`^${dir}: took over the lock of pid ${pid} \\(started \\S+, 5 min ago\\), which no longer runs$`))]);
  expect(readRunLock(dir)).toEqual(lock.holder);
  lock.release();
  expect(fs.readdirSync(dir)).toEqual([]);
});

test("this process's own pid with a token it never held is a reused pid (a restarted container): taken over", async () => {
  const dir = folder();
  writeLock(dir, { pid: process.pid });
  const notes: string[] = [];
  const lock = await lockRunFolder(dir, { onNote: (line) => notes.push(line) });
  expect(notes).toEqual([expect.stringContaining(`took over the lock of pid ${process.pid}`)]);
  lock.release();
});

test("another host's lock is refused with its host, age and how to remove it, whatever its pid", async () => {
  const dir = folder();
  writeLock(dir, { pid: await deadPid(), hostname: 'build-7', started: new Date(Date.now() - 3 * 3600_000).toISOString() });
  const before = lockText(dir);
  await expect(lockRunFolder(dir)).rejects.toThrow(
    new RegExp(`^${dir} is locked by pid \\d+ on host 'build-7' since \\S+ \\(3 h ago\\); whether it still runs cannot be told from '${os.hostname()}': if no carve runs there on this folder, remove ${path.join(dir, RUN_LOCK_FILE)} and run again$`),
  );
  expect(lockText(dir)).toBe(before);
});

test('an unreadable lock is waited for while young (it is being written), and taken over once old (torn by a kill)', async () => {
  const dir = folder();
  const file = path.join(dir, RUN_LOCK_FILE);
  // Young: its writer finishes it meanwhile, and holds it.
  fs.writeFileSync(file, '');
  setTimeout(() => writeLock(dir, { pid: livePid() }), 200);
  await expect(lockRunFolder(dir)).rejects.toThrow(/is in use: pid \d+/);
  // Old: nobody will finish it.
  fs.writeFileSync(file, '');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(file, old, old);
  const notes: string[] = [];
  (await lockRunFolder(dir, { onNote: (line) => notes.push(line) })).release();
  expect(notes).toEqual([`${dir}: took over an unreadable lock (an empty file), left by a process killed as it took it`]);
});

test('a release removes only its own lock, not one that replaced it', async () => {
  const dir = folder();
  const lock = await lockRunFolder(dir);
  fs.rmSync(lock.file);
  writeLock(dir, { pid: livePid(), token: 'another' });
  lock.release();
  expect(readRunLock(dir)?.token).toBe('another');
});

test('withRunLock releases the lock when the work fails', async () => {
  const dir = folder();
  await expect(withRunLock(dir, {}, async () => Promise.reject(new Error('stage failed')))).rejects.toThrow('stage failed');
  expect(fs.existsSync(path.join(dir, RUN_LOCK_FILE))).toBe(false);
});

test('a takeover that lost the race (the stale lock it read was replaced by another process\'s) leaves the new lock in place', async () => {
  const dir = folder();
  const file = path.join(dir, RUN_LOCK_FILE);
  writeLock(dir, { pid: await deadPid(), token: 'stale' });
  const seen = lockText(dir);
  // Another process took it over between this one's read and its takeover.
  expect(takeOver(file, seen, 'first')).toBe(true);
  writeLock(dir, { pid: livePid(), token: 'winner' });
  const winner = lockText(dir);
  expect(takeOver(file, seen, 'second')).toBe(false);
  expect(lockText(dir)).toBe(winner);
  expect(fs.readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
  await expect(lockRunFolder(dir)).rejects.toThrow(/is in use/);
});

test('of several processes taking over one stale lock at once, exactly one gets it', async () => {
  const dir = folder();
  writeLock(dir, { pid: await deadPid() });
  // Compiled, as the CLI runs it. All start at one moment (spinning until then), so their
  // takeovers overlap; each holds what it got until the test ends.
  const module = path.resolve(__dirname, '../../dist/compress/run-lock.js');
  const at = Date.now() + 1500;
  const script = `const { lockRunFolder } = require(${JSON.stringify(module)}); while (Date.now() < ${at}); lockRunFolder(${JSON.stringify(dir)}).then(() => { console.log('locked'); setTimeout(() => {}, 60000); }, (e) => console.log(e.code ?? e.message));`;
  const outcomes = await Promise.all(
    Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      return new Promise<string>((resolve) => child.stdout!.on('data', (d: Buffer) => resolve(d.toString().trim())));
    }),
  );
  expect(outcomes.sort()).toEqual(['locked', 'run_locked', 'run_locked', 'run_locked', 'run_locked', 'run_locked']);
});
