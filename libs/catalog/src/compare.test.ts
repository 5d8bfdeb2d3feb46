import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Catalog } from './catalog';
import { LocalBackend } from './local-backend';
import { front, manifest } from './testing/run-folder';
import { rejection } from './testing/rejection';

let dir: string;
let catalog: Catalog;

beforeEach(() => {
  dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-catalog-compare-'));
  catalog = new Catalog(new LocalBackend(dir));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Stores run `id` with `frontFile` as its front.json (none when undefined). */
async function run(id: string, frontFile?: object): Promise<void> {
  if (frontFile) await catalog.backend.putBytes(`runs/${id}/front.json`, Buffer.from(JSON.stringify(frontFile)));
  await catalog.writeManifest(id, manifest(id));
}

describe('Catalog.compareFronts', () => {
  test('puts fronts side by side, with hypervolumes on their shared objectives and reference point', async () => {
    await run('r1', front());
    await run('r2', front([[1, 3.5], [2.5, 2]]));
    const comparison = await catalog.compareFronts(['r1', 'r2']);
    expect(comparison.objectives).toEqual(['val-loss', 'params']);
    expect(comparison.basis).toEqual({ objectives: front().objectives, reference: [4, 4] });
    expect(comparison.fronts.map((f) => [f.id, f.hypervolume, f.recordedHypervolume])).toEqual([
      ['r1', 4, 4],
      ['r2', 3 * 0.5 + 1.5 * 1.5, 4],
    ]);
    expect(comparison.fronts[1].members).toEqual([
      { index: 0, values: { 'val-loss': 1, params: 3.5 } },
      { index: 1, values: { 'val-loss': 2.5, params: 2 } },
    ]);
    expect(comparison.incomparable).toBeUndefined();
  });

  test('matches objectives by name whatever their order, and negates maximized ones', async () => {
    const maximized = (order: 'loss-first' | 'magnitude-first', members: [number, number][]) => {
      const objectives = [
        { name: 'val-loss', direction: 'minimize' },
        { name: 'magnitude', direction: 'maximize' },
      ];
      const reference = { 'val-loss': 4, magnitude: 0 };
      const ordered = order === 'loss-first' ? objectives : [...objectives].reverse();
      return {
        objectives: ordered,
        reference: ordered.map((o) => reference[o.name as keyof typeof reference]),
        members: members.map(([loss, magnitude]) => ({ objectives: { 'val-loss': loss, magnitude } })),
      };
    };
    await run('a', maximized('loss-first', [[2, 3]]));
    await run('b', maximized('magnitude-first', [[3, 1]]));
    const comparison = await catalog.compareFronts(['a', 'b']);
    expect(comparison.basis?.reference).toEqual([4, 0]);
    expect(comparison.fronts.map((f) => f.hypervolume)).toEqual([2 * 3, 1 * 1]);
  });

  test('says why hypervolumes are not compared when objectives or reference points differ', async () => {
    const latency = { ...front(), objectives: [front().objectives[0], { name: 'latency', direction: 'minimize' }], members: [{ objectives: { 'val-loss': 2, latency: 1 } }] };
    await run('r1', front());
    await run('r2', latency);
    await run('r3', front(undefined, [5, 5]));
    await run('r4', front(undefined, null));
    const different = await catalog.compareFronts(['r1', 'r2']);
    expect(different.objectives).toEqual(['val-loss', 'params', 'latency']);
    expect(different.incomparable).toBe('the runs optimized different objectives: [params (minimize), val-loss (minimize)] vs [latency (minimize), val-loss (minimize)]');
    expect(different.fronts.map((f) => f.hypervolume)).toEqual([undefined, undefined]);
    expect((await catalog.compareFronts(['r1', 'r3', 'r4'])).incomparable).toBe(
      'the runs have different reference points: (4, 4) vs (5, 5) vs none for val-loss, params',
    );
  });

  test('reports every run it cannot compare at once', async () => {
    await run('r1', front());
    await run('r2');
    await run('r3', { ...front(), members: [{ objectives: { 'val-loss': 1 } }] });
    const e = await rejection(catalog.compareFronts(['r1', 'r2', 'r3', 'r9']));
    expect(e.message.split('\n')).toEqual([
      `catalog local folder ${dir}: run 'r2' (complete) has no front.json`,
      `catalog local folder ${dir}: runs/r3/front.json: members[0].objectives: lacks params`,
      `catalog local folder ${dir}: no run 'r9'; known runs: r1, r2, r3`,
    ]);
  });
});
