import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { runCatalogBackendContract } from './backend-contract';
import { LocalBackend } from './local-backend';
import { rejection } from './testing/rejection';

let dir: string;
let backend: LocalBackend;

beforeEach(() => {
  dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-catalog-local-'));
  backend = new LocalBackend(nodePath.join(dir, 'catalog'));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every file under the backend's root, temporary files included. */
function filesOnDisk(): string[] {
  if (!fs.existsSync(backend.root)) return [];
  return fs
    .readdirSync(backend.root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => nodePath.relative(backend.root, nodePath.join(e.parentPath, e.name)))
    .sort();
}

describe('LocalBackend', () => {
  test('meets the backend contract', async () => {
    await runCatalogBackendContract(backend, { scratch: dir });
    expect(filesOnDisk()).toEqual([]);
  });

  test('describes itself by its absolute root', () => {
    expect(backend.describe()).toBe(`local folder ${nodePath.join(dir, 'catalog')}`);
  });

  test('a putFile of a missing source fails naming it, and leaves nothing', async () => {
    const source = nodePath.join(dir, 'gone.onnx');
    const e = await rejection(backend.putFile('runs/r1/model.onnx', source));
    expect(e.code).toBe('catalog_io');
    expect(e.message).toBe(`catalog ${backend.describe()}: cannot store runs/r1/model.onnx: ${source} is not a file (it does not exist)`);
    expect(filesOnDisk()).toEqual([]);
  });

  test('a write that fails after its temporary file was written removes it and keeps the old state', async () => {
    await backend.putBytes('runs/r1/a/b.json', Buffer.from('{}'));
    // The target is a folder, so the rename into place fails after the bytes were written.
    const e = await rejection(backend.putBytes('runs/r1/a', Buffer.from('x')));
    expect(e.message).toMatch(new RegExp(`^catalog local folder .*: cannot write runs/r1/a \\((EISDIR|ENOTEMPTY|EEXIST)\\); check that the folder is writable and has space$`));
    expect(filesOnDisk()).toEqual(['runs/r1/a/b.json']);
  });

  test('listings leave out temporary files of writes in progress', async () => {
    await backend.putBytes('runs/r1/front.json', Buffer.from('{}'));
    fs.writeFileSync(nodePath.join(backend.root, 'runs', 'r1', '.trials.json.123-abcd.carve-tmp'), 'half');
    expect(await backend.list('runs/')).toEqual(['runs/r1/front.json']);
  });

  test('remove prunes the folders it empties, and keeps the others', async () => {
    await backend.putBytes('runs/r1/x/y.json', Buffer.from('1'));
    await backend.putBytes('runs/r2/y.json', Buffer.from('2'));
    await backend.remove('runs/r1/');
    expect(fs.readdirSync(nodePath.join(backend.root, 'runs'))).toEqual(['r2']);
  });

  test('an empty or missing root is an empty catalog', async () => {
    expect(await backend.list('')).toEqual([]);
    expect(await backend.get('runs/r1/manifest.json')).toBeUndefined();
  });

  test.each([
    ['../outside', `object key "../outside" must not have empty, '.' or '..' segments`],
    ['/etc/passwd', `object key "/etc/passwd" must not start or end with '/'`],
    ['runs//x', `object key "runs//x" must not have empty, '.' or '..' segments`],
    ['runs\\x', `object key "runs\\\\x" must not hold backslashes ('\\' separates folders on Windows)`],
    ['a.carve-tmp', `object key "a.carve-tmp" must not end with '.carve-tmp' (kept for temporary files)`],
  ])('refuses the key %j', async (key, message) => {
    const e = await rejection(backend.putBytes(key, Buffer.from('x')));
    expect([e.code, e.message]).toEqual(['invalid_name', message]);
    expect(filesOnDisk()).toEqual([]);
  });

  test('refuses a prefix that leaves the root', async () => {
    expect((await rejection(backend.list('../'))).message).toBe(`prefix "../" must not have empty, '.' or '..' segments`);
  });
});
