import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { HOSTILE_NAMES } from '../../names/src/testing/hostile-names';
import { Catalog } from './catalog';
import { LocalBackend } from './local-backend';
import { S3Backend } from './s3-backend';
import { front, manifest, writeRunFolder } from './testing/run-folder';
import { rejection } from './testing/rejection';

/**
 * Every way a name reaches the catalog (a run id, a file name of a run, a key) refuses the
 * hostile names with an 'invalid_name' CatalogError before anything is read or written, in a
 * local folder and in a bucket, and nothing lands outside the catalog's folder.
 */

const ID = '20261128-2042-1a2b3c';
/** Where the absolute and the many-parents names of the table point. */
const ESCAPED = '/tmp/carve-escaped';
let sandbox: string;
let local: LocalBackend;
let catalog: Catalog;

beforeEach(() => {
  sandbox = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-hostile-'));
  local = new LocalBackend(nodePath.join(sandbox, 'catalog'));
  catalog = new Catalog(local);
});

afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** Every file under the sandbox, '/'-separated and sorted: what the test may have written. */
function filesIn(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => nodePath.relative(dir, nodePath.join(entry.parentPath, entry.name)).split(nodePath.sep).join('/'))
    .sort();
}

/** A bucket at a port where nothing listens: a request sent would fail as catalog_io, never as invalid_name. */
const unreachableBucket = () => new S3Backend({ bucket: 'carve-test', prefix: 'team', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe.each(HOSTILE_NAMES)('%s', (_what, name) => {
  test('as a run id: refused by every catalog operation, before anything is read or written', async () => {
    const folder = writeRunFolder(nodePath.join(sandbox, 'run'), { 'front.json': front() });
    const refusals = [
      () => catalog.publishRun(name, folder, manifest(name)),
      () => catalog.writeManifest(name, manifest(name)),
      () => catalog.fetchRun(name, nodePath.join(sandbox, 'fetched')),
      () => catalog.showRun(name),
      () => catalog.removeRun(name),
      () => catalog.readJson(name, 'front.json'),
      () => catalog.compareFronts([name]),
      () => new Catalog(unreachableBucket()).showRun(name),
    ];
    for (const refused of refusals) {
      const e = await rejection(refused());
      expect([e.code, e.message]).toEqual(['invalid_name', expect.stringMatching(/^run id ".*" (\(\d+ characters\) )?is not valid: [^\n]*$/)]);
    }
    expect(filesIn(sandbox)).toEqual(['run/front.json']);
  });

  test('as a file of a run or a key: refused by the catalog and by both backends', async () => {
    await catalog.publishRun(ID, writeRunFolder(nodePath.join(sandbox, 'run'), { 'front.json': front() }), manifest(ID));
    const before = filesIn(sandbox);
    const bucket = unreachableBucket();
    const refusals = [
      () => catalog.readJson(ID, name),
      () => local.putBytes(`runs/${ID}/${name}`, Buffer.from('x')),
      () => local.putFile(`runs/${ID}/${name}`, nodePath.join(sandbox, 'run', 'front.json')),
      () => local.get(`runs/${name}`),
      () => local.exists(`runs/${name}`),
      () => bucket.putBytes(`runs/${ID}/${name}`, Buffer.from('x')),
      () => bucket.get(`runs/${name}`),
      () => bucket.exists(`runs/${name}`),
    ];
    for (const refused of refusals) {
      const e = await rejection(refused());
      expect([e.code, e.message]).toEqual(['invalid_name', expect.stringMatching(/^(object key|run id) ".*" [^\n]*$/)]);
    }
    expect(filesIn(sandbox)).toEqual(before);
  });

  test('as a file that a manifest read back from the catalog lists: fetchRun refuses it and writes nothing', async () => {
    // A catalog is input too: a bucket someone else writes to may hold any manifest.
    const listed = manifest(ID, { files: [{ name, size: 1, sha256: '0'.repeat(64) }, { name: 'front.json', size: 1, sha256: '0'.repeat(64) }] });
    await local.putBytes(`runs/${ID}/manifest.json`, Buffer.from(JSON.stringify(listed)));
    await local.putBytes(`runs/${ID}/front.json`, Buffer.from('x'));
    const before = filesIn(sandbox);
    const e = await rejection(catalog.fetchRun(ID, nodePath.join(sandbox, 'work', 'runs', ID)));
    expect(['invalid_name', 'invalid_run_file']).toContain(e.code);
    expect(filesIn(sandbox).filter((f) => !before.includes(f) && !f.startsWith(`work/runs/${ID}/`))).toEqual([]);
    expect(fs.existsSync(ESCAPED)).toBe(false);
  });
});

test('a run folder holding a file whose name is not a key is refused before anything is uploaded', async () => {
  // Names a Linux folder can hold ('/' and NUL cannot be in a file name).
  for (const name of ['a\\b', '\u202egnp.exe', 'cafe\u0301', '\uff0e\uff0e']) {
    const folder = writeRunFolder(nodePath.join(sandbox, 'run'), { 'front.json': front(), [name]: 'x' });
    const e = await rejection(catalog.publishRun(ID, folder, manifest(ID)));
    expect(e.code).toBe('invalid_name');
    expect(fs.existsSync(nodePath.join(sandbox, 'catalog'))).toBe(false);
    fs.rmSync(folder, { recursive: true });
  }
});

test('nothing named by the table was written outside the sandbox', () => {
  expect(fs.existsSync(ESCAPED)).toBe(false);
});
