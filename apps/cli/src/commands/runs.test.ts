import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Catalog, LocalBackend } from '@carve/catalog';
import { carve } from '../testing/run-cli';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-runs-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const objectives = [
  { name: 'val-loss', direction: 'minimize' },
  { name: 'latency', direction: 'minimize' },
];
const trial = (index: number, loss: number, latency: number) => ({
  index, params: 1000 * (index + 1), objectives: { 'val-loss': loss, latency }, feasible: true, violation: 0, details: {},
  subNetwork: { embedDim: 16, headSize: 4, layers: [{ index: 0, heads: 2, mlpHidden: 8 }] },
});

/** A finished run in the local catalog: trials, front and manifest (written last). */
async function storeRun(id: string, points: [number, number][], front: number[]): Promise<void> {
  const folder = path.join(root, 'runs', id);
  fs.mkdirSync(folder, { recursive: true });
  const trials = points.map(([loss, latency], i) => trial(i, loss, latency));
  fs.writeFileSync(path.join(folder, 'trials.json'), JSON.stringify(trials));
  fs.writeFileSync(path.join(folder, 'front.json'), JSON.stringify({ objectives, constraints: [], reference: [10, 10], hypervolume: 1, members: front.map((i) => trials[i]) }));
  const now = '2026-11-28T20:00:00.000Z';
  await new Catalog(new LocalBackend(root)).writeManifest(id, {
    format: 1, id, status: 'complete', created: now, updated: now, spec: {}, seeds: { search: 0 }, versions: {},
    stages: [{ name: 'search', status: 'complete', seconds: 3 }], summary: { model: 'tiny', objectives: ['val-loss', 'latency'], trials: points.length, frontSize: front.length, hypervolume: 1 },
  });
}

beforeAll(async () => {
  await storeRun('20261128-2000-aaaaaa', [[3, 1], [2, 2], [4, 4]], [0, 1]);
  await storeRun('20261128-2001-bbbbbb', [[2.5, 1.5], [1, 3]], [0, 1]);
  fs.mkdirSync(path.join(root, 'runs', '20261128-2002-cccccc')); // no manifest: not a run yet
});

test('runs list shows the runs with a manifest, as a table or JSON lines', async () => {
  const listed = await carve(['runs', 'list', '--catalog', root]);
  expect([listed.code, listed.stderr]).toEqual([0, '']);
  const lines = listed.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^id\s+status\s+created\s+model\s+objectives\s+front\s+hypervolume$/);
  expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['20261128-2000-aaaaaa', '20261128-2001-bbbbbb']);
  const json = await carve(['runs', 'list', '--catalog', root, '--json']);
  expect(json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).frontSize)).toEqual([2, 2]);
});

test('runs show and compare; an unknown run is a clear error', async () => {
  const shown = await carve(['runs', 'show', '20261128-2000-aaaaaa', '--catalog', root]);
  expect(JSON.parse(shown.stdout).files).toEqual(expect.arrayContaining(['front.json', 'manifest.json', 'trials.json']));
  const compared = JSON.parse((await carve(['runs', 'compare', '20261128-2000-aaaaaa', '20261128-2001-bbbbbb', '--catalog', root])).stdout);
  expect(compared.fronts.map((f: { id: string }) => f.id)).toEqual(['20261128-2000-aaaaaa', '20261128-2001-bbbbbb']);
  expect(compared.basis.reference).toEqual([10, 10]);
  const unknown = await carve(['runs', 'show', '20261128-2009-dddddd', '--catalog', root]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('20261128-2009-dddddd');
});

test('report writes the run report and the catalog index', async () => {
  const run = await carve(['report', '20261128-2000-aaaaaa', '--catalog', root]);
  expect([run.code, run.stderr]).toEqual([0, '']);
  const [report, index] = run.stdout.trimEnd().split('\n');
  expect(report).toBe(path.join(root, 'runs', '20261128-2000-aaaaaa', 'report.html'));
  const html = fs.readFileSync(report, 'utf8');
  expect(html.match(/data-trial="/g)?.length).toBeGreaterThanOrEqual(3);
  expect(fs.readFileSync(index, 'utf8')).toContain('20261128-2001-bbbbbb');
  const missing = await carve(['report', '20261128-2002-cccccc', '--catalog', root]);
  expect(missing.code).toBe(2);
});
