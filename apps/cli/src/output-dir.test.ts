import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { outputIssue, writeFolderAtomically } from './output-dir';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-out-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (file: string, text: string) => (temp: string) => fs.writeFileSync(path.join(temp, file), text);

describe('writeFolderAtomically', () => {
  test('creates the folder (and its parents) with what was written, and nothing beside it', async () => {
    const out = path.join(dir, 'a', 'b', 'out');
    expect(await writeFolderAtomically(out, false, (temp) => (write('x.txt', 'new')(temp), 42))).toBe(42);
    expect(fs.readdirSync(out)).toEqual(['x.txt']);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['out']);
    expect(fs.statSync(out).mode & 0o777).toBe(0o777 & ~process.umask());
  });

  test('a failure while writing leaves no folder and no temporary one', async () => {
    const out = path.join(dir, 'out');
    await expect(
      writeFolderAtomically(out, false, (temp) => {
        write('half.txt', 'half')(temp);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('--force replaces an existing folder only once the new one is complete', async () => {
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.txt'), 'old');
    await expect(writeFolderAtomically(out, true, () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    expect(fs.readdirSync(out)).toEqual(['old.txt']);
    await writeFolderAtomically(out, true, write('new.txt', 'new'));
    expect(fs.readdirSync(out)).toEqual(['new.txt']);
    expect(fs.readdirSync(dir)).toEqual(['out']);
  });

  test('a folder that appeared while writing is not replaced without --force', async () => {
    const out = path.join(dir, 'out');
    await expect(
      writeFolderAtomically(out, false, (temp) => {
        fs.mkdirSync(out);
        write('x.txt', 'new')(temp);
      }),
    ).rejects.toThrow(`--out ${out}: already exists; pass --force to replace it, or another folder`);
    expect(fs.readdirSync(dir)).toEqual(['out']);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('outputIssue', () => {
  test.each([
    ['a new path', false, false, undefined],
    ['an existing folder', true, false, /already exists; pass --force to replace it/],
    ['an existing folder with --force', true, true, undefined],
  ] as const)('%s', (_what, exists, force, issue) => {
    const out = path.join(dir, 'out');
    if (exists) fs.mkdirSync(out);
    const found = outputIssue(out, force);
    if (issue) expect(found).toMatch(issue);
    else expect(found).toBeUndefined();
  });

  test('a file is refused even with --force', () => {
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    expect(outputIssue(file, true)).toBe(`--out ${file}: exists and is not a folder; pass a new folder name`);
  });
});
