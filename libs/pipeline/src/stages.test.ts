import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planStages, runStages, Stage, stageOrder } from './stages';

interface Spec {
  a: number;
  b: { x: number; y: number };
  c: string;
  failIn?: string;
}

const calls: string[] = [];
/** A stage that writes `<name>.txt` from its input and its upstream files. */
function stage(name: string, after: string[], input: (s: Spec) => unknown, version = 1): Stage<Spec> {
  return {
    name,
    after,
    version,
    inputs: input,
    outputs: () => [`${name}.txt`],
    describe: (s) => ({ what: `${name} of ${JSON.stringify(input(s))}`, seconds: 1 }),
    async run(s, folder) {
      calls.push(name);
      if (s.failIn === name) throw new Error(`${name} interrupted`);
      const upstream = after.map((n) => fs.readFileSync(path.join(folder, `${n}.txt`), 'utf8')).join('+');
      fs.writeFileSync(path.join(folder, `${name}.txt`), `${name}(${JSON.stringify(input(s))}${upstream ? `; ${upstream}` : ''})`);
    },
  };
}

const stages = [stage('report', ['search'], (s) => s.c), stage('train', ['importance'], (s) => s.b), stage('importance', [], (s) => s.a), stage('search', ['train'], (s) => s.c)];
const spec: Spec = { a: 1, b: { x: 1, y: 2 }, c: 'loss' };
const run = async (folder: string, s: Spec) => {
  calls.length = 0;
  await runStages(stages, s, folder);
  return [...calls];
};

let folder: string;
beforeEach(() => (folder = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-stages-'))));
afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

test('stages run after those they read; a cycle or an unknown upstream is an error', () => {
  expect(stageOrder(stages).map((s) => s.name)).toEqual(['importance', 'train', 'search', 'report']);
  expect(() => stageOrder([stage('a', ['b'], () => 0), stage('b', ['a'], () => 0)])).toThrow('stages form a cycle: a → b → a');
  expect(() => stageOrder([stage('a', ['z'], () => 0)])).toThrow("stage 'a' comes after 'z', which is not a stage");
});

test('a finished run is skipped whole; a changed input reruns exactly that stage and those after it', async () => {
  expect(await run(folder, spec)).toEqual(['importance', 'train', 'search', 'report']);
  expect(await run(folder, spec)).toEqual([]);
  expect(planStages(stages, { ...spec, b: { x: 1, y: 3 } }, folder).map((p) => [p.name, p.decision])).toEqual([
    ['importance', { action: 'skip' }],
    ['train', { action: 'run', reason: 'inputs changed', detail: 'y' }],
    ['search', { action: 'run', reason: 'upstream ran', detail: 'train' }],
    ['report', { action: 'run', reason: 'upstream ran', detail: 'search' }],
  ]);
  expect(await run(folder, { ...spec, b: { x: 1, y: 3 } })).toEqual(['train', 'search', 'report']);
  expect(fs.readFileSync(path.join(folder, 'report.txt'), 'utf8')).toBe('report("loss"; search("loss"; train({"x":1,"y":3}; importance(1))))');
  // Key order does not count as a change.
  expect(await run(folder, { c: 'loss', b: { y: 3, x: 1 }, a: 1 })).toEqual([]);
});

test('a corrupted or missing output reruns its stage and those after it', async () => {
  await run(folder, spec);
  fs.appendFileSync(path.join(folder, 'train.txt'), 'x');
  expect(planStages(stages, spec, folder)[1].decision).toEqual({ action: 'run', reason: 'output changed', detail: 'train.txt differs from what the stage wrote' });
  expect(await run(folder, spec)).toEqual(['train', 'search', 'report']);
  fs.rmSync(path.join(folder, 'search.txt'));
  expect(await run(folder, spec)).toEqual(['search', 'report']);
});

test('an interrupted stage has no marker and runs again; finished ones do not', async () => {
  await expect(run(folder, { ...spec, failIn: 'search' })).rejects.toThrow('search interrupted');
  expect(await run(folder, spec)).toEqual(['search', 'report']);
  // A stage interrupted on a rerun loses its old marker first, so it is not taken as finished.
  await expect(run(folder, { ...spec, c: 'kl', failIn: 'search' })).rejects.toThrow('search interrupted');
  expect(planStages(stages, { ...spec, c: 'kl' }, folder)[2].decision).toEqual({ action: 'run', reason: 'new' });
});

test('a new stage version reruns the stage; a stage that does not write its outputs fails', async () => {
  await run(folder, spec);
  const bumped = stages.map((s) => (s.name === 'search' ? { ...s, version: 2 } : s));
  expect(planStages(bumped, spec, folder)[2].decision).toEqual({ action: 'run', reason: 'version changed', detail: '1 → 2' });
  const lazy: Stage<Spec> = { ...stage('lazy', [], () => 0), run: async () => undefined };
  await expect(runStages([lazy], spec, folder)).rejects.toThrow("stage 'lazy' finished without writing lazy.txt");
});
