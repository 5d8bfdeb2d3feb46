/**
 * Crash consistency of `carve compress`: the same command is SIGKILLed at seeded
 * pseudo-random points spread over the whole run (its start, every stage, the gaps between
 * stages) and rerun after each kill until it completes. Every rerun must go on from where
 * the killed one stopped (no failure, no finished stage run again, a stale lock taken over)
 * and the run must end as an uninterrupted run of the same spec ends: the same front, and no
 * half-written file left in its folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_LOCK_FILE } from '@carve/pipeline';
import { finished, runFolder, spawnCarve, SpawnedCarve, stageLines } from '../testing/spawned-carve';
import { writeTinySpec } from '../testing/tiny-spec';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-crash-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Chooses the kill points: the same ones on every machine (the moments they land on are not). */
const SEED = 17;
const STAGES = ['data', 'importance', 'grid', 'train', 'search', 'export', 'evaluate', 'report'];
/** Where the kills aim, in order: before the first stage, then each stage (training twice: a resumed training is killed again), or the next one not done. */
const TARGETS = ['start', 'data', 'importance', 'grid', 'train', 'train', 'search', 'export', 'evaluate', 'report'];
/** Evaluation on fewer documents than the other tiny runs: it is redone after each kill that lands in it. */
const EXTRA = { evaluation: { limit: 4 } };

/** mulberry32: a seeded generator of numbers in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The uninterrupted run: its front, and when (ms after its spawn) each stage's window began and ended: a stage and the gap after it. */
let reference: { front: unknown; windows: Record<string, [number, number]> };

beforeAll(async () => {
  const root = path.join(tmp, 'uninterrupted');
  const p = spawnCarve(['compress', writeTinySpec(path.join(tmp, 'uninterrupted.json'), root, EXTRA)]);
  const start = Date.now();
  const done = await p.exited;
  expect([done.code, done.stderr]).toEqual([0, expect.stringContaining('report: done in')]);
  const end = Date.now() - start;
  const starts = STAGES.map((s) => p.lines.find((l) => l.text.startsWith(`${s}: running`))!.at);
  const windows: Record<string, [number, number]> = { start: [0, starts[0]] };
  STAGES.forEach((s, i) => (windows[s] = [starts[i], starts[i + 1] ?? end]));
  reference = { front: JSON.parse(fs.readFileSync(path.join(runFolder(root)!, 'front.json'), 'utf8')), windows };
});

test('killed at seeded random points over every stage and rerun each time, the run completes without redoing a finished stage, with the front of an uninterrupted run', async () => {
  const root = path.join(tmp, 'killed');
  const spec = writeTinySpec(path.join(tmp, 'killed.json'), root, EXTRA);
  const rng = random(SEED);
  const runs: SpawnedCarve[] = [];
  /** How many processes finished each stage (left its marker). */
  const finishes = new Map<string, number>();
  let kills = 0;

  /** Runs the command once (`act` may kill it) and checks that it went on from where the last one stopped. */
  const rerun = async (label: string, act: (p: SpawnedCarve) => Promise<void>) => {
    const folder = runFolder(root);
    const before = finished(folder);
    const locked = folder !== undefined && fs.existsSync(path.join(folder, RUN_LOCK_FILE));
    const p = spawnCarve(['compress', spec]);
    runs.push(p);
    await act(p);
    const result = await p.exited;
    // Killed, or completed: never failed.
    expect([label, result.signal ?? result.code, result.signal ? '' : result.stderr]).toEqual([label, result.signal ? 'SIGKILL' : 0, expect.anything()]);
    const ran = stageLines(p, /^(\S+): running/);
    const skipped = stageLines(p, /^(\S+): done already, skipped$/);
    // No stage finished before runs again; each it skips had finished, and stays as it was.
    expect([label, ran.filter((s) => before.has(s)), skipped.filter((s) => !before.has(s))]).toEqual([label, [], []]);
    const after = finished(runFolder(root));
    expect([label, [...before].filter(([s, at]) => after.get(s) !== at)]).toEqual([label, []]);
    for (const s of after.keys()) if (!before.has(s)) finishes.set(s, (finishes.get(s) ?? 0) + 1);
    // A lock a killed run left is taken over, with a note, before any stage.
    if (locked && p.lines.some((l) => /: (running|done already)/.test(l.text))) expect([label, p.lines[0].text]).toEqual([label, expect.stringMatching(/: took over (the lock of pid \d+ .*, which no longer runs|an unreadable lock .*)$/)]);
    return result;
  };

  for (const [i, target] of TARGETS.entries()) {
    // A stage that an earlier kill overshot is done: aim at the next one not done.
    const done = finished(runFolder(root));
    const aim = target === 'start' ? target : STAGES.slice(STAGES.indexOf(target)).find((s) => !done.has(s));
    if (aim === undefined) break;
    const [from, to] = reference.windows[aim];
    const delay = rng() * (to - from);
    const result = await rerun(`kill ${i} (${aim} + ${Math.round(delay)} ms)`, async (p) => {
      if (aim !== 'start' && !(await p.line(new RegExp(`^${aim}: running`)))) return;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, delay)), p.exited]);
      p.child.kill('SIGKILL');
    });
    if (result.signal) kills++;
    else break; // it completed before the kill came
  }
  const last = await rerun('the last rerun', async () => undefined);
  expect(last.code).toBe(0);
  expect(kills).toBeGreaterThanOrEqual(6);

  // Over all the processes, each stage finished exactly once (its "done" line may have been cut off by a kill: the marker counts).
  expect(STAGES.map((s) => [s, finishes.get(s)])).toEqual(STAGES.map((s) => [s, 1]));
  const folder = runFolder(root)!;
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as { status: string; stages: { name: string; status: string }[] };
  const ranLast = new Set(stageLines(runs.at(-1)!, /^(\S+): running/));
  expect(manifest).toMatchObject({ status: 'complete', stages: STAGES.map((name) => ({ name, status: ranLast.has(name) ? 'complete' : 'skipped' })) });
  expect(JSON.parse(fs.readFileSync(path.join(folder, 'front.json'), 'utf8'))).toEqual(reference.front);
  // No lock, and nothing half-written: no temporary file or folder of a killed write.
  const leftovers = (fs.readdirSync(folder, { recursive: true }) as string[]).filter((f) => f === RUN_LOCK_FILE || /(^|\/)\.[^/]*(tmp|stale)/.test(f));
  expect(leftovers).toEqual([]);
});
