import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeCuda } from '@carve/engine';
import { carve } from '../testing/run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-compress-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('--dry-run prints the plan of the default spec without computing or writing anything', async () => {
  const spec = path.join(tmp, 'spec.yaml');
  fs.writeFileSync(spec, `output:\n  root: ${path.join(tmp, 'catalog')}\ntraining:\n  steps: 50\n`);
  const run = await carve(['compress', spec, '--dry-run']);
  expect([run.code, run.stderr]).toEqual([0, '']);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^run \\d{8}-\\d{4}-[0-9a-f]{6} in ${path.join(tmp, 'catalog', 'runs')}/`));
  expect(lines[1]).toMatch(/^stage\s+action\s+cost\s+what$/);
  expect(lines.slice(2, 10).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual(['data run (new)', 'importance run (new)', 'grid run (new)', 'train run (new)', 'search run (new)', 'export run (new)', 'evaluate run (new)', 'report run (new)']);
  expect(lines[5]).toContain('50 steps of sandwich-kd');
  expect(lines[10]).toMatch(/^about \d+ s to run/);
  expect(fs.existsSync(path.join(tmp, 'catalog'))).toBe(false);
});

test('an invalid spec lists every problem with its path, exit 2', async () => {
  const spec = path.join(tmp, 'bad.json');
  fs.writeFileSync(spec, JSON.stringify({ seed: -1, training: { steps: 'many' }, search: { budget: 0 }, outptu: {} }));
  const run = await carve(['compress', spec, '--dry-run']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(new RegExp(`^carve: ${spec}: 4 problems: `));
  for (const where of ['seed: ', 'training.steps: ', 'search.budget: ', '(top level): Unrecognized key: "outptu"']) expect(run.stderr).toContain(where);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
});

test('a missing spec file or model is one clear line', async () => {
  const missing = await carve(['compress', path.join(tmp, 'none.yaml')]);
  expect(missing.stderr).toBe(`carve: ${path.join(tmp, 'none.yaml')}: 1 problem: cannot read it (ENOENT)\n`);
  const spec = path.join(tmp, 'model.json');
  fs.writeFileSync(spec, JSON.stringify({ model: { checkpoint: path.join(tmp, 'no-model') }, output: { root: path.join(tmp, 'c2') } }));
  const run = await carve(['compress', spec]);
  expect([run.code, run.stderr]).toEqual([2, `carve: run spec: model.checkpoint: ${path.join(tmp, 'no-model')}: no such file or folder; model.tokenizer: (none): no such file or folder\n`]);
});

test('--device overrides the spec: cuda where it does not work is one line before anything is written, exit 2; an unknown device is refused', async () => {
  const spec = path.join(tmp, 'device.yaml');
  fs.writeFileSync(spec, `output:\n  root: ${path.join(tmp, 'c3')}\n`);
  const bad = await carve(['compress', spec, '--device', 'gpu']);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain("'gpu' is invalid. Allowed choices are auto, cpu, cuda.");
  const probe = await probeCuda();
  if (probe.available) return console.log('CUDA is available here: the unavailable-device case is not checked');
  const run = await carve(['compress', spec, '--device', 'cuda']);
  expect([run.code, run.stderr]).toEqual([2, `carve: device cuda is not available: ${probe.reason}; ${probe.advice}\n`]);
  expect(fs.existsSync(path.join(tmp, 'c3'))).toBe(false);
});
