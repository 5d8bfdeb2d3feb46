/** The harness's own parts: cases reproduce from their seed, mutations change what they say they change. */
import { errorProblems } from './contract';
import { BYTE_MUTATIONS, mutateBytes } from './mutate/bytes';
import { mutateJson, serialize } from './mutate/json';
import { mutateText, YAML_MUTATIONS } from './mutate/text';
import { caseSeed, Prng } from './prng';
import { formatViolation, parseFuzzCase } from './runner';
import { UserError } from '@carve/errors';

test('a case seed depends on the suite seed, the format and the index, and replays the same mutations', () => {
  expect(new Set([caseSeed(17, 'spec-json', 0), caseSeed(17, 'spec-json', 1), caseSeed(18, 'spec-json', 0), caseSeed(17, 'spec-yaml', 0)]).size).toBe(4);
  const doc = { a: [1, 2, { b: 'x' }], c: { d: true } };
  const run = () => mutateJson(new Prng(caseSeed(17, 'x', 3)), doc);
  expect(run()).toEqual(run());
  expect(doc).toEqual({ a: [1, 2, { b: 'x' }], c: { d: true } }); // mutations work on a copy
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
  expect(mutateBytes(new Prng(5), bytes)).toEqual(mutateBytes(new Prng(5), bytes));
});

test('every byte mutation returns new bytes; truncate shortens and insert lengthens', () => {
  const bytes = Uint8Array.from({ length: 64 }, (_, i) => i);
  for (const [name, mutate] of Object.entries(BYTE_MUTATIONS)) expect([name, mutate(new Prng(1), bytes) !== bytes]).toEqual([name, true]);
  expect(BYTE_MUTATIONS.truncate(new Prng(2), bytes).length).toBeLessThan(64);
  expect(BYTE_MUTATIONS.insert(new Prng(2), bytes).length).toBeGreaterThan(64);
});

test('serialize expands nesting placeholders into deep JSON that still parses', () => {
  const text = serialize({ a: '\u0000fuzz-deep:[1000', b: '\u0000fuzz-deep:{3' });
  expect(text.startsWith('{"a":[[[')).toBe(true);
  expect(text.endsWith(',"b":{"a":{"a":{"a":1}}}}')).toBe(true);
  expect(() => JSON.parse(text)).not.toThrow();
});

test('YAML mutations write what they are named for', () => {
  const yaml = 'seed: 1\nspace:\n  name: "joint"\n  options:\n    minDepth: 1\n';
  expect(YAML_MUTATIONS.aliasBomb(new Prng(1), yaml)).toContain('&i [*h');
  expect(YAML_MUTATIONS.aliasInOptions(new Prng(1), yaml)).toMatch(/ {4}b: &b \[\*a/);
  expect(mutateText(new Prng(3), yaml, YAML_MUTATIONS, 'yaml').applied[0]).toMatch(/^yaml\./);
});

test('the contract: a one-line user error passes; other errors, empty or multi-line messages, and unnamed files do not', () => {
  expect(errorProblems(new UserError('f.json: bad', 'x'), ['f.json'])).toEqual([]);
  expect(errorProblems(new TypeError('x is undefined'), [])[0].kind).toBe('not-a-user-error');
  expect(errorProblems(new UserError(' ', 'x'), [])[0].kind).toBe('empty-message');
  expect(errorProblems(new UserError('f.json: bad\nnext', 'x'), ['f.json']).map((p) => p.kind)).toEqual(['multi-line-message']);
  expect(errorProblems(new UserError('bad', 'x'), ['f.json']).map((p) => p.kind)).toEqual(['unnamed-file']);
});

test('a violation prints on one line with how to rerun it', () => {
  const line = formatViolation({ kind: 'multi-line-message', detail: 'a\nb', format: 'spec-json', seed: 17, index: 4, mutations: ['json.addKey'] });
  expect(line).toBe('[multi-line-message] spec-json#4 (FUZZ_SEED=17 FUZZ_CASE=spec-json:4; json.addKey): a⏎b');
  expect(parseFuzzCase('cli:hf-config:4')).toEqual({ format: 'cli:hf-config', index: 4 });
  expect(parseFuzzCase(undefined)).toBeUndefined();
});
