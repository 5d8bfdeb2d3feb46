/**
 * The fuzz suite: every in-process target under a fixed seed. A case reproduces alone with
 * `FUZZ_CASE=<format>:<index>` (and `FUZZ_SEED` when another seed found it), which also
 * prints the error's stack.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeError } from './contract';
import { FormatReport, formatViolation, parseFuzzCase, runTarget } from './runner';
import { writeSeeds } from './seeds';
import { allTargets } from './targets';

export const SEED = Number(process.env.FUZZ_SEED ?? 17);
const only = parseFuzzCase(process.env.FUZZ_CASE);
const onlyFormat = only?.format;
// A reproduction prints the frames in the repository, which a stack overflow pushes far down.
if (onlyFormat) Error.stackTraceLimit = Infinity;
const repoFrames = (e: unknown) => `${describeError(e)}\n${((e as Error)?.stack ?? '').split('\n').filter((l) => /[\\/](libs|apps|tools)[\\/]/.test(l) && !l.includes('node_modules')).join('\n')}`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-fuzz-'));
const seeds = writeSeeds(path.join(tmp, 'seeds'));
const targets = allTargets(seeds).filter((t) => !onlyFormat || t.name === onlyFormat);
const reports: FormatReport[] = [];

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  const rows = reports.map((r) => `${r.format.padEnd(18)} ${String(r.cases).padStart(5)} ${String(r.loaded).padStart(7)} ${String(r.rejected).padStart(9)} ${String(r.violations.length).padStart(11)} ${r.seconds.toFixed(1).padStart(6)} s   (slowest #${r.slowest.index}: ${r.slowest.seconds.toFixed(2)} s)`);
  const total = reports.reduce((a, r) => a + r.cases, 0);
  const lines = [`fuzz (seed ${SEED}): ${total} cases`, `${'format'.padEnd(18)} cases  loaded  rejected  violations    time`, ...rows];
  console.log(lines.join('\n'));
});

if (targets.length === 0) test(`FUZZ_CASE=${process.env.FUZZ_CASE} selects no in-process case`, () => undefined);

for (const target of targets) describe(target.name, () => {
  test('every case loads or fails with a one-line user error naming the file', async () => {
    const report = await runTarget(target, {
      seed: SEED,
      dir: tmp,
      only: only?.index,
      onError: onlyFormat ? (e) => console.log(repoFrames(e)) : undefined,
    });
    reports.push(report);
    expect(report.violations.map(formatViolation)).toEqual([]);
    if (!onlyFormat) expect(report.loaded).toBeGreaterThan(0); // the unchanged seeds load: the target can succeed
  });
});
