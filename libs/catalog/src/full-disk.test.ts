import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Catalog } from './catalog';
import { LocalBackend } from './local-backend';
import { front, manifest, writeRunFolder } from './testing/run-folder';
import { rejection } from './testing/rejection';

/** The disk "fills up" during copy number `failAt`: the copy leaves a partial file and fails with ENOSPC, as a full disk does. */
const mockDisk = { copies: 0, failAt: Infinity };
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  return {
    ...actual,
    copyFile: async (from: string, to: string, mode?: number) => {
      if (++mockDisk.copies === mockDisk.failAt) {
        await actual.writeFile(to, 'partial');
        throw Object.assign(new Error(`ENOSPC: no space left on device, copyfile '${from}' -> '${to}'`), { code: 'ENOSPC', errno: -28 });
      }
      return actual.copyFile(from, to, mode);
    },
  };
});

const dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-full-disk-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a full disk part-way through a publish leaves no run, no partial file, and the runs before it intact', async () => {
  const local = new LocalBackend(nodePath.join(dir, 'catalog'));
  const catalog = new Catalog(local);
  const folder = (name: string) => writeRunFolder(nodePath.join(dir, name), { 'front.json': front(), 'trials.json': [{ index: 0 }], 'models/best.onnx': Buffer.alloc(3000, 1) });
  const first = '20261128-2042-1a2b3c';
  await catalog.publishRun(first, folder('first'), manifest(first));
  const manifestFile = nodePath.join(local.root, 'runs', first, 'manifest.json');
  const before = fs.readFileSync(manifestFile, 'utf8');

  const second = '20261128-2043-4d5e6f';
  mockDisk.failAt = mockDisk.copies + 2;
  const e = await rejection(catalog.publishRun(second, folder('second'), manifest(second)));
  expect(e.message).toContain('ENOSPC');

  expect((await catalog.listRuns()).map((r) => r.id)).toEqual([first]);
  const stored = await local.list(`runs/${second}/`);
  expect(stored).toHaveLength(1); // the one file copied before the disk filled: no manifest, nothing partial
  const onDisk = fs.readdirSync(nodePath.join(local.root, 'runs', second), { recursive: true }).map(String);
  expect(onDisk.filter((f) => fs.statSync(nodePath.join(local.root, 'runs', second, f)).isFile())).toEqual([stored[0].slice(`runs/${second}/`.length)]);
  expect(fs.readFileSync(manifestFile, 'utf8')).toBe(before);
});
