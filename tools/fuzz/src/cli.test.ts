/**
 * The CLI sample: about thirty fuzz cases through the real `carve` program (see cli.ts). It
 * needs apps/cli built; nx builds it before this test (the package depends on @carve/cli).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_BUILT, runCliSample } from './cli';
import { formatViolation, parseFuzzCase } from './runner';
import { writeSeeds } from './seeds';

const SEED = Number(process.env.FUZZ_SEED ?? 17);
// FUZZ_CASE=cli:<format>:<index> reruns one case and prints what the program wrote.
const only = parseFuzzCase(process.env.FUZZ_CASE);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-fuzz-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('bad inputs exit with 2 and one line on stderr, valid ones with 0', async () => {
  if (only && !only.format.startsWith('cli:')) return; // an in-process case: fuzz.test.ts runs it
  if (!fs.existsSync(CLI_BUILT)) throw new Error(`${CLI_BUILT} is missing: build the CLI first (npm run build, or npx nx run @carve/fuzz:test, which builds it)`);
  const report = await runCliSample(writeSeeds(path.join(tmp, 'seeds')), SEED, tmp, { only, onRun: only ? (run) => console.log(run) : undefined });
  console.log(
    [
      `fuzz CLI sample (seed ${SEED}): ${report.runs} runs in ${report.seconds.toFixed(1)} s; exit codes ${JSON.stringify(report.exitCodes)}; slowest ${report.slowest.format}#${report.slowest.index} ${report.slowest.seconds.toFixed(1)} s`,
      `  by format: ${Object.entries(report.byTarget).map(([t, n]) => `${t} ${n}`).join(', ')}`,
    ].join('\n'),
  );
  if (!only) expect(report.runs).toBeGreaterThanOrEqual(20);
  expect(report.violations.map(formatViolation)).toEqual([]);
  if (!only) expect(report.exitCodes['2']).toBeGreaterThan(0);
});
