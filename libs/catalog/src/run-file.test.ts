/**
 * Run files whose errors would quote line breaks (found by tools/fuzz): an indented manifest
 * with a syntax error (the JSON parser quotes the text around it) and keys holding line breaks.
 * Each problem must stay on one line: a listing joins several runs' problems line by line.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Catalog } from './catalog';
import { LocalBackend } from './local-backend';
import { runManifestSchema } from './manifest';
import { parseRunFile } from './run-file';
import { manifest } from './testing/run-folder';
import { rejection } from './testing/rejection';

const ID = '20261128-2042-1a2b3c';
const dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-run-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

test("a syntax error in an indented file: the parser's quote of the text keeps its line breaks escaped", () => {
  const message = messageOf(() => parseRunFile(runManifestSchema, Buffer.from('{\n  "format": 1,\n  "id": x\n}\n'), 'runs/r/manifest.json'));
  expect(message).toMatch(/^runs\/r\/manifest\.json: not valid JSON \(Unexpected token .*\\n.*\)$/);
});

test('keys with line breaks are quoted on one line in the schema problems', () => {
  const value = { ...manifest(ID), seeds: { 'a\nb': 'seven' }, 'x\ny': 1 };
  const message = messageOf(() => parseRunFile(runManifestSchema.strict(), Buffer.from(JSON.stringify(value)), 'runs/r/manifest.json'));
  expect(message).toContain('seeds.a\\nb: Invalid input: expected number, received string');
  expect(message).not.toMatch(/[\r\n]/);
});

test('readJson reports a broken run file on one line', async () => {
  const local = new LocalBackend(nodePath.join(dir, 'catalog'));
  const catalog = new Catalog(local);
  await catalog.writeManifest(ID, manifest(ID));
  await local.putBytes(`runs/${ID}/front.json`, Buffer.from('{\n  "members": [\n    oops\n  ]\n}\n'));
  const e = await rejection(catalog.readJson(ID, 'front.json'));
  expect(e.message).toMatch(new RegExp(`^catalog ${local.describe()}: runs/${ID}/front.json: not valid JSON \\(.*\\\\n.*\\)$`));
});
