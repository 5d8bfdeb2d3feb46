import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { CatalogBackend } from './backend';
import { Catalog } from './catalog';
import { CatalogError } from './errors';
import { LocalBackend } from './local-backend';
import { front, manifest, writeRunFolder } from './testing/run-folder';
import { rejection } from './testing/rejection';

const ID = '20261128-2042-1a2b3c';
let dir: string;
let local: LocalBackend;

beforeEach(() => {
  dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-catalog-'));
  local = new LocalBackend(nodePath.join(dir, 'catalog'));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The local backend, recording each write (`putFile key`, `putBytes key`) in order; `failOn` makes that write fail. */
function recording(failOn?: string): { backend: CatalogBackend; writes: string[] } {
  const writes: string[] = [];
  const backend: CatalogBackend = {
    putFile: async (key, path) => {
      if (key === failOn) throw new CatalogError(`catalog test: cannot store ${key}`, 'catalog_io');
      await local.putFile(key, path);
      writes.push(`putFile ${key}`);
    },
    putBytes: async (key, data) => {
      await local.putBytes(key, data);
      writes.push(`putBytes ${key}`);
    },
    get: (key) => local.get(key),
    list: (prefix) => local.list(prefix),
    exists: (key) => local.exists(key),
    remove: (prefix) => local.remove(prefix),
    describe: () => local.describe(),
  };
  return { backend, writes };
}

function runFolder(name = 'run'): string {
  return writeRunFolder(nodePath.join(dir, name), {
    'front.json': front(),
    'trials.json': [{ index: 0 }],
    'report.html': '<html></html>',
    'models/best.onnx': Buffer.alloc(3000, 1),
    'manifest.json': '{"stale": true}',
  });
}

describe('Catalog.fetchRun', () => {
  test('copies the published files into a fresh folder, byte for byte, and skips those already there', async () => {
    const catalog = new Catalog(local);
    const source = runFolder();
    await catalog.publishRun(ID, source, manifest(ID));
    const target = nodePath.join(dir, 'fresh');
    const first = await catalog.fetchRun(ID, target);
    expect(first).toEqual({ fetched: ['front.json', 'models/best.onnx', 'report.html', 'trials.json'], unchanged: [] });
    for (const name of first.fetched) expect(fs.readFileSync(nodePath.join(target, name))).toEqual(fs.readFileSync(nodePath.join(source, name)));
    fs.writeFileSync(nodePath.join(target, 'report.html'), 'edited');
    expect(await catalog.fetchRun(ID, target)).toEqual({ fetched: ['report.html'], unchanged: ['front.json', 'models/best.onnx', 'trials.json'] });
    expect(fs.readFileSync(nodePath.join(target, 'report.html'), 'utf8')).toBe('<html></html>');
  });

  test('a run without a manifest fetches nothing; a stored file that is not the recorded one is an error, and nothing is half-written', async () => {
    const catalog = new Catalog(local);
    expect(await catalog.fetchRun(ID, nodePath.join(dir, 'none'))).toEqual({ fetched: [], unchanged: [] });
    await catalog.publishRun(ID, runFolder(), manifest(ID));
    await local.putBytes(`runs/${ID}/trials.json`, Buffer.from('tampered'));
    const target = nodePath.join(dir, 'fresh');
    const e = await rejection(catalog.fetchRun(ID, target));
    expect(e.message).toMatch(new RegExp(`^catalog ${local.describe()}: runs/${ID}/trials\\.json: its SHA-256 [0-9a-f]{64} is not the manifest's [0-9a-f]{64}$`));
    expect(fs.readdirSync(target).sort()).toEqual(['front.json', 'models', 'report.html']);
  });
});

describe('Catalog.publishRun', () => {
  test('stores every file of the folder, then the manifest, last', async () => {
    const { backend, writes } = recording();
    const result = await new Catalog(backend).publishRun(ID, runFolder(), manifest(ID));
    expect(result).toEqual({ uploaded: ['front.json', 'models/best.onnx', 'report.html', 'trials.json'], unchanged: [] });
    expect(writes).toEqual([
      `putFile runs/${ID}/front.json`,
      `putFile runs/${ID}/models/best.onnx`,
      `putFile runs/${ID}/report.html`,
      `putFile runs/${ID}/trials.json`,
      `putBytes runs/${ID}/manifest.json`,
    ]);
  });

  test("records each file's size and SHA-256 in the manifest, in place of the folder's own manifest.json", async () => {
    const catalog = new Catalog(local);
    await catalog.publishRun(ID, runFolder(), manifest(ID));
    const { manifest: stored } = await catalog.showRun(ID);
    const onnx = Buffer.alloc(3000, 1);
    expect(stored.files.find((f) => f.name === 'models/best.onnx')).toEqual({
      name: 'models/best.onnx',
      size: 3000,
      sha256: createHash('sha256').update(onnx).digest('hex'),
    });
    expect(stored.files.map((f) => f.name)).not.toContain('manifest.json');
    expect(stored).toEqual({ ...manifest(ID), files: stored.files });
  });

  test('sends again only the files that changed or are missing', async () => {
    const folder = runFolder();
    await new Catalog(local).publishRun(ID, folder, manifest(ID));
    fs.writeFileSync(nodePath.join(folder, 'report.html'), '<html>v2</html>');
    await local.remove(`runs/${ID}/trials.json`);
    const { backend, writes } = recording();
    const result = await new Catalog(backend).publishRun(ID, folder, manifest(ID));
    expect(result).toEqual({ uploaded: ['report.html', 'trials.json'], unchanged: ['front.json', 'models/best.onnx'] });
    // The changed report.html is first taken out of the old manifest (see the next test), then sent.
    expect(writes).toEqual([`putBytes runs/${ID}/manifest.json`, `putFile runs/${ID}/report.html`, `putFile runs/${ID}/trials.json`, `putBytes runs/${ID}/manifest.json`]);
    expect((await local.get(`runs/${ID}/report.html`))?.toString()).toBe('<html>v2</html>');
  });

  test('a republish that fails part-way leaves the earlier manifest true to what is stored, and a retry completes the run', async () => {
    const folder = runFolder();
    await new Catalog(local).publishRun(ID, folder, manifest(ID, { status: 'running' }));
    fs.writeFileSync(nodePath.join(folder, 'front.json'), JSON.stringify(front([[1, 1]])));
    fs.writeFileSync(nodePath.join(folder, 'trials.json'), JSON.stringify([{ index: 0 }, { index: 1 }]));
    const { backend, writes } = recording(`runs/${ID}/trials.json`);
    const e = await rejection(new Catalog(backend).publishRun(ID, folder, manifest(ID)));
    expect(e.message).toBe(`catalog test: cannot store runs/${ID}/trials.json`);
    expect(writes).toEqual([`putBytes runs/${ID}/manifest.json`, `putFile runs/${ID}/front.json`]);
    // front.json was replaced, trials.json was to be: the run stays visible as it was without
    // them, and every file it lists is stored as recorded.
    const catalog = new Catalog(local);
    const left = (await catalog.showRun(ID)).manifest;
    expect([left.status, left.files.map((f) => f.name)]).toEqual(['running', ['models/best.onnx', 'report.html']]);
    expect(await catalog.fetchRun(ID, nodePath.join(dir, 'fresh'))).toEqual({ fetched: ['models/best.onnx', 'report.html'], unchanged: [] });

    expect(await catalog.publishRun(ID, folder, manifest(ID))).toEqual({ uploaded: ['front.json', 'trials.json'], unchanged: ['models/best.onnx', 'report.html'] });
    const done = (await catalog.showRun(ID)).manifest;
    expect([done.status, done.files.map((f) => f.name)]).toEqual(['complete', ['front.json', 'models/best.onnx', 'report.html', 'trials.json']]);
    expect(await catalog.fetchRun(ID, nodePath.join(dir, 'fresh'))).toEqual({ fetched: ['front.json', 'trials.json'], unchanged: ['models/best.onnx', 'report.html'] });
  });

  test('a publish that fails part-way leaves the run invisible', async () => {
    const { backend, writes } = recording(`runs/${ID}/report.html`);
    const catalog = new Catalog(backend);
    const e = await rejection(catalog.publishRun(ID, runFolder(), manifest(ID)));
    expect(e.message).toBe(`catalog test: cannot store runs/${ID}/report.html`);
    expect(writes).toEqual([`putFile runs/${ID}/front.json`, `putFile runs/${ID}/models/best.onnx`]);
    expect(await catalog.listRuns()).toEqual([]);
    expect((await rejection(catalog.showRun(ID))).message).toBe(`catalog ${local.describe()}: no run '${ID}'; the catalog has no runs yet`);
  });

  test('checks the manifest and the folder before sending anything', async () => {
    const { backend, writes } = recording();
    const catalog = new Catalog(backend);
    const bad = { ...manifest('20261128-2042-ffffff'), status: 'done', seeds: { search: 1.5 } } as unknown as ReturnType<typeof manifest>;
    const e = await rejection(catalog.publishRun(ID, runFolder(), bad));
    expect(e.code).toBe('invalid_run_file');
    expect(e.issues).toEqual([
      'status: Invalid option: expected one of "running"|"complete"|"failed"',
      'seeds.search: Invalid input: expected int, received number',
    ]);
    const mismatch = await rejection(catalog.publishRun(ID, runFolder(), manifest('20261128-2042-ffffff')));
    expect(mismatch.message).toBe(`manifest of run '${ID}': id: '20261128-2042-ffffff' does not match the run id '${ID}'`);
    const missing = await rejection(catalog.publishRun(ID, nodePath.join(dir, 'nowhere'), manifest(ID)));
    expect(missing.message).toBe(`run folder ${nodePath.join(dir, 'nowhere')} does not exist`);
    expect(writes).toEqual([]);
  });
});

describe('Catalog queries', () => {
  test('listRuns shows runs with a manifest, oldest first, and ignores folders without one', async () => {
    const catalog = new Catalog(local);
    await catalog.writeManifest('20261129-0900-cccccc', manifest('20261129-0900-cccccc', { status: 'failed', created: '2026-11-29T09:00:00Z', error: 'out of memory' }));
    await catalog.publishRun(ID, runFolder(), manifest(ID));
    await local.putBytes('runs/20261130-0000-dddddd/front.json', Buffer.from('{}'));
    expect(await catalog.listRuns()).toEqual([
      { id: ID, status: 'complete', created: '2026-11-28T20:42:00.000Z', updated: '2026-11-28T21:02:00.000Z', model: 'stories260K', objectives: ['val-loss', 'params'], frontSize: 2, hypervolume: 4 },
      { id: '20261129-0900-cccccc', status: 'failed', created: '2026-11-29T09:00:00Z', updated: '2026-11-28T21:02:00.000Z', model: 'stories260K', objectives: ['val-loss', 'params'], frontSize: 2, hypervolume: 4 },
    ]);
  });

  test('listRuns reports every invalid manifest, naming its file', async () => {
    const catalog = new Catalog(local);
    await catalog.writeManifest(ID, manifest(ID));
    await local.putBytes('runs/r-broken/manifest.json', Buffer.from('{"format": 1,'));
    await local.putBytes('runs/r-moved/manifest.json', Buffer.from(JSON.stringify(manifest(ID))));
    await local.putBytes('runs/r-old/manifest.json', Buffer.from(JSON.stringify({ ...manifest('r-old'), format: 2, status: 'done' })));
    const e = await rejection(catalog.listRuns());
    const lines = e.message.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^catalog ${local.describe()}: runs/r-broken/manifest.json: not valid JSON \\(.+\\)$`));
    expect(lines.slice(1)).toEqual([
      `catalog ${local.describe()}: runs/r-moved/manifest.json: id: '${ID}' does not match the run's folder 'r-moved'`,
      `catalog ${local.describe()}: runs/r-old/manifest.json: format: Invalid input: expected 1; status: Invalid option: expected one of "running"|"complete"|"failed"`,
      'fix or remove those runs to list the catalog',
    ]);
  });

  test('showRun gives the manifest and the files; an unknown id lists the known ones', async () => {
    const catalog = new Catalog(local);
    await catalog.publishRun(ID, runFolder(), manifest(ID));
    await catalog.writeManifest('20261129-0900-cccccc', manifest('20261129-0900-cccccc'));
    expect((await catalog.showRun(ID)).files).toEqual(['front.json', 'manifest.json', 'models/best.onnx', 'report.html', 'trials.json']);
    const e = await rejection(catalog.showRun('20261128-2042'));
    expect([e.code, e.message]).toEqual(['unknown_run', `catalog ${local.describe()}: no run '20261128-2042'; known runs: ${ID}, 20261129-0900-cccccc`]);
    expect((await rejection(catalog.showRun('../etc'))).message).toBe(
      `run id "../etc" is not valid: use 1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit (like 20261128-2042-1a2b3c)`,
    );
  });

  test('writeManifest updates a running run in place', async () => {
    const catalog = new Catalog(local);
    await catalog.writeManifest(ID, manifest(ID, { status: 'running', stages: [], summary: {} }));
    expect((await catalog.listRuns()).map((r) => [r.status, r.frontSize])).toEqual([['running', undefined]]);
    await catalog.writeManifest(ID, manifest(ID));
    expect((await catalog.listRuns()).map((r) => [r.status, r.frontSize])).toEqual([['complete', 2]]);
  });

  test('removeRun removes the manifest first, then the rest of the run', async () => {
    const { backend } = recording();
    const removed: string[] = [];
    const catalog = new Catalog({ ...backend, remove: (prefix) => (removed.push(prefix), local.remove(prefix)) });
    await catalog.publishRun(ID, runFolder(), manifest(ID));
    await catalog.writeManifest('r2', manifest('r2'));
    await catalog.removeRun(ID);
    expect(removed).toEqual([`runs/${ID}/manifest.json`, `runs/${ID}/`]);
    expect(await local.list('runs/')).toEqual(['runs/r2/manifest.json']);
    expect((await rejection(catalog.removeRun(ID))).message).toBe(`catalog ${local.describe()}: no run '${ID}'; known runs: r2`);
  });

  test('readJson parses a file of a run, and lists the files when it has no such file', async () => {
    const catalog = new Catalog(local);
    await catalog.publishRun(ID, runFolder(), manifest(ID));
    expect(await catalog.readJson(ID, 'trials.json')).toEqual([{ index: 0 }]);
    expect((await rejection(catalog.readJson(ID, 'trails.json'))).message).toBe(
      `catalog ${local.describe()}: run '${ID}' has no file trails.json; its files: front.json, manifest.json, models/best.onnx, report.html, trials.json`,
    );
    expect((await rejection(catalog.readJson(ID, 'report.html'))).message).toMatch(
      new RegExp(`^catalog .*: runs/${ID}/report.html: not valid JSON \\(Unexpected token`),
    );
  });
});
