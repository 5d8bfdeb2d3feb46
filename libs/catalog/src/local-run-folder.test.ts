import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Catalog } from './catalog';
import { LocalBackend } from './local-backend';
import { readRunFolder, RUN_LOCK_FILE } from './local-run-folder';
import { front, manifest, writeRunFolder } from './testing/run-folder';

const ID = '20261128-2042-1a2b3c';
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-run-folder-'));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("the run folder's lock is none of the run's files: not listed, not published, not fetched back", async () => {
  const lock = JSON.stringify({ pid: 1, hostname: 'gone', started: '2026-11-28T20:42:00.000Z', token: 'aa' });
  const folder = writeRunFolder(nodePath.join(dir, 'run'), { 'front.json': front(), [RUN_LOCK_FILE]: lock, 'models/run.lock': 'a file of the run that only shares the name' });
  expect((await readRunFolder(folder, new Set())).map((f) => f.name)).toEqual(['front.json', 'models/run.lock']);
  const catalog = new Catalog(new LocalBackend(nodePath.join(dir, 'catalog')));
  await catalog.publishRun(ID, folder, manifest(ID));
  expect((await catalog.showRun(ID)).files).toEqual(['front.json', 'manifest.json', 'models/run.lock']);
  const fetched = nodePath.join(dir, 'fetched');
  await catalog.fetchRun(ID, fetched);
  expect(fs.existsSync(nodePath.join(fetched, RUN_LOCK_FILE))).toBe(false);
});
