import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { embeddedCorpus } from '@carve/pipeline';
import { carve } from '../testing/run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-experiment-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a bad experiment, seed list, budget or arm is a usage error naming it, exit 2', async () => {
  const unknown = await carve(['experiment', 'papr']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("unknown experiment 'papr' (known: paper)");
  const seeds = await carve(['experiment', 'paper', '--seeds', '0,x']);
  expect(seeds.code).toBe(2);
  expect(seeds.stderr).toContain("option '--seeds <list>' argument '0,x' is invalid. must be comma-separated non-negative integers, like 0,1,2.");
  const budgets = await carve(['experiment', 'paper', '--budgets', '0.5,2']);
  expect(budgets.code).toBe(2);
  expect(budgets.stderr).toContain('must be a number in (0, 1].');
  const arms = await carve(['experiment', 'paper', '--arms', 'no-kd,nokd', '--out', path.join(tmp, 'never')]);
  expect(arms.code).toBe(2);
  expect(arms.stderr).toContain("experiment 'paper' has no arm 'nokd'");
  expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
});

test('the method arm alone, on a tiny spec: the dominance lines on stdout, the results folder on disk', async () => {
  const corpus = embeddedCorpus();
  const spec = path.join(tmp, 'spec.json');
  fs.writeFileSync(
    spec,
    JSON.stringify({
      data: { train: corpus.train.slice(-2), validation: corpus.validation.slice(-1), calibration: corpus.train.slice(-1) },
      importance: { samples: 4, seqLen: 32 },
      training: { steps: 2, batchSize: 2, seqLen: 32, threads: 2 },
      search: { budget: 4, objectives: [{ name: 'val-loss', options: { seqLen: 32, windows: 2 } }, { name: 'params' }] },
      latency: { repeats: 1, warmup: 0, seqLen: 8 },
      export: { max: 2 },
      evaluation: { limit: 4 },
    }),
  );
  const out = path.join(tmp, 'exp');
  const run = await carve(['experiment', 'paper', spec, '--arms', 'method', '--seeds', '3', '--out', out]);
  expect(run.stderr).toContain(`experiment paper: 1 arms × 1 seeds in ${out}`);
  expect(run.code).toBe(0);
  for (const baseline of ['activation-width+ft', 'magnitude-width+ft', 'block-depth+ft', 'flap', 'flap+ft', 'subnetwork+ft']) expect(run.stdout).toMatch(new RegExp(`^${baseline.replace('+', '\\+')}: method `, 'm'));
  expect(run.stdout).toContain(`results: ${path.join(out, 'results.md')}`);
  expect(fs.readFileSync(path.join(out, 'results.md'), 'utf8')).toContain(`\`carve experiment paper ${spec} --seeds 3 --arms method\``);
  expect(fs.existsSync(path.join(out, 'catalog', 'runs', 'method-s3', 'baselines.json'))).toBe(true);
});
