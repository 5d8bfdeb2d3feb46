/**
 * The run folder's lock through the commands that write a run folder (compress, export,
 * report): a second process is refused at once, in one line, exit 2, writing nothing; a stale
 * lock is taken over; another host's is refused with how to remove it; the lock goes when
 * the command ends, whether it succeeded or failed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRunSpec, planCompress, readRunLock, RUN_LOCK_FILE } from '@carve/pipeline';
import { carve } from '../testing/run-cli';
import { spawnCarve } from '../testing/spawned-carve';
import { writeTinySpec } from '../testing/tiny-spec';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-run-lock-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  children.forEach((c) => c.kill('SIGKILL'));
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ID = '20261206-1200-10cced';
const writeLock = (folder: string, holder: { pid: number; hostname?: string; started?: string }) => {
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, RUN_LOCK_FILE), JSON.stringify({ hostname: os.hostname(), started: new Date().toISOString(), token: '0123456789abcdef', ...holder }));
};

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** The pid of a process that runs until the tests end. */
function livePid(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** Every file under `folder`, with its bytes: what "wrote nothing" compares. */
const snapshot = (folder: string) => Object.fromEntries((fs.readdirSync(folder, { recursive: true }) as string[]).sort().map((f) => [f, fs.statSync(path.join(folder, f)).isFile() ? fs.readFileSync(path.join(folder, f), 'utf8') : '(folder)']));

test('a second carve compress on the run folder one is working in is refused at once in one line, exit 2; the first (taking over a stale lock) completes and leaves no lock', async () => {
  const root = path.join(tmp, 'two');
  const spec = writeTinySpec(path.join(tmp, 'two.json'), root);
  const folder = path.join(root, 'runs', ID);
  const stale = await deadPid();
  writeLock(folder, { pid: stale, started: new Date(Date.now() - 600_000).toISOString() });

  const first = spawnCarve(['compress', spec, '--run', ID]);
  children.push(first.child);
  expect(await first.line(/^importance: running/)).toBe(true);
  expect(first.lines[0].text).toMatch(new RegExp(`^${folder}: took over the lock of pid ${stale} \\(started \\S+, 10 min ago\\), which no longer runs$`));
  const held = readRunLock(folder);
  expect(held).toMatchObject({ pid: first.pid, hostname: os.hostname() });

  // The same command without --run finds the run by its spec.json, as a rerun does.
  const second = await spawnCarve(['compress', spec]).exited;
  expect(second).toMatchObject({ code: 2, stdout: '' });
  expect(second.stderr).toMatch(new RegExp(`^carve: ${folder} is in use: pid ${first.pid} has held it since ${held!.started} \\(\\d+ s ago\\); wait for it to end or stop it, then run again \\(if pid ${first.pid} is no carve, remove ${path.join(folder, RUN_LOCK_FILE)}\\)\\n$`));
  expect(readRunLock(folder)).toEqual(held);
  expect(first.child.exitCode).toBeNull();

  const done = await first.exited;
  expect([done.code, done.stderr]).toEqual([0, expect.stringContaining('report: done in')]);
  expect(fs.existsSync(path.join(folder, RUN_LOCK_FILE))).toBe(false);
  // Nothing was corrupted: every stage finished, its files as its marker recorded them.
  expect(planCompress(loadRunSpec(spec), { run: ID }).plan.map((p) => `${p.name} ${p.decision.action}`)).toEqual(['data', 'importance', 'grid', 'train', 'search', 'export', 'evaluate', 'report'].map((s) => `${s} skip`));
  expect(JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8'))).toMatchObject({ status: 'complete' });
});

test("another host's lock is refused with its host, age and how to remove it, exit 2, writing nothing", async () => {
  const root = path.join(tmp, 'host');
  const spec = writeTinySpec(path.join(tmp, 'host.json'), root);
  const folder = path.join(root, 'runs', ID);
  writeLock(folder, { pid: process.pid, hostname: 'build-7', started: new Date(Date.now() - 2 * 86400_000).toISOString() });
  const before = snapshot(folder);
  const run = await carve(['compress', spec, '--run', ID]);
  expect(run).toEqual({
    code: 2,
    stdout: '',
    stderr: expect.stringMatching(new RegExp(`^carve: ${folder} is locked by pid ${process.pid} on host 'build-7' since \\S+ \\(2 d ago\\); whether it still runs cannot be told from '${os.hostname()}': if no carve runs there on this folder, remove ${path.join(folder, RUN_LOCK_FILE)} and run again\\n$`)),
  });
  expect(snapshot(folder)).toEqual(before);
});

test.each([
  ['export', (catalog: string) => ['export', ID, '--member', '1', '--catalog', catalog]],
  ['report', (catalog: string) => ['report', ID, '--catalog', catalog]],
])('carve %s on a run folder a live process works in is refused in one line, exit 2, writing nothing', async (command, args) => {
  const catalog = path.join(tmp, `live-${command}`);
  const folder = path.join(catalog, 'runs', ID);
  const pid = livePid();
  writeLock(folder, { pid });
  fs.writeFileSync(path.join(folder, 'spec.json'), '{}');
  const before = snapshot(folder);
  const run = await carve(args(catalog));
  expect([run.code, run.stdout]).toEqual([2, '']);
  expect(run.stderr).toMatch(new RegExp(`^carve: ${folder} is in use: pid ${pid} has held it since .*\\n$`));
  expect(snapshot(folder)).toEqual(before);
});

test('carve export leaves no lock behind when it fails, nor when it takes over a stale one', async () => {
  const catalog = path.join(tmp, 'export-fails');
  const folder = path.join(catalog, 'runs', ID);
  writeLock(folder, { pid: await deadPid() });
  fs.writeFileSync(path.join(folder, 'spec.json'), '{}');
  const run = await carve(['export', ID, '--member', '1', '--catalog', catalog]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(new RegExp(`^${folder}: took over the lock of pid \\d+ .*, which no longer runs\\ncarve: ${folder}: no front.json; is this a run folder whose search finished\\?\\n$`));
  expect(fs.readdirSync(folder)).toEqual(['spec.json']);
});
