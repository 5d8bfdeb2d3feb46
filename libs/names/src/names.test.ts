import { keyProblem, MAX_KEY_BYTES, nameRefusal, packageNameProblem, quoteName, runIdProblem } from './index';
import { HOSTILE_NAMES } from './testing/hostile-names';

/**
 * The one validator every entry point uses: each hostile name must be refused as every kind of
 * name, alone and after a prefix, with a message on one line in which nothing is hidden.
 */
describe('hostile names', () => {
  test.each(HOSTILE_NAMES)('%s is refused as a run id, an object key (alone or under a prefix) and a plugin package', (_what, name) => {
    expect(runIdProblem(name)).toBeDefined();
    expect(keyProblem(name)).toBeDefined();
    expect(keyProblem(`runs/${name}`)).toBeDefined();
    expect(keyProblem(`inputs/0123456789abcdef/${name}/config.json`)).toBeDefined();
    expect(packageNameProblem(name)).toBeDefined();
  });

  test.each(HOSTILE_NAMES)('%s is shown on one line, every invisible character escaped', (_what, name) => {
    for (const kind of ['run id', 'object key', 'plugin package'] as const) {
      const message = nameRefusal(kind, name)!;
      expect(message.startsWith(`${kind} "`)).toBe(true);
      // Printable ASCII, plus letters and symbols that are seen as they are (fullwidth dots, the ellipsis of a cut name).
      expect(message).toMatch(/^[\x20-\x7e\p{L}\p{N}\p{P}\p{S}]*$/u);
      expect(message).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{M}]/u);
    }
  });
});

describe('keyProblem', () => {
  test.each([
    ['a parent segment', '../outside', "must not have empty, '.' or '..' segments"],
    ['an absolute path', '/etc/passwd', "must not start or end with '/'"],
    ['a folder', 'runs/', "must not start or end with '/'"],
    ['a backslash', 'runs\\x', "must not hold backslashes ('\\' separates folders on Windows)"],
    ['a NUL byte', 'runs/a\u0000b', 'must not hold U+0000: control, invisible and direction-changing characters are refused'],
    ['a right-to-left override', 'runs/\u202etxt.exe', 'must not hold U+202E: control, invisible and direction-changing characters are refused'],
    ['a C1 control', 'runs/\u0085x', 'must not hold U+0085: control, invisible and direction-changing characters are refused'],
    ['fullwidth dots', 'runs/\uff0e\uff0e/x', `must not have a segment that reads as '.', '..', '/' or '\\' once normalized ("\uff0e\uff0e" holds fullwidth or compatibility characters)`],
    ['a fullwidth solidus', 'runs/a\uff0fb', `must not have a segment that reads as '.', '..', '/' or '\\' once normalized ("a\uff0fb" holds fullwidth or compatibility characters)`],
    ['a decomposed accent', 'runs/cafe\u0301.txt', 'must be in Unicode normal form C: write accented letters precomposed, not as a letter and a combining character'],
    ['a leading combining mark', 'runs/\u0338x', 'must not have a segment that starts with a combining character (U+0338)'],
    ['a segment of 256 bytes', `runs/${'é'.repeat(128)}`, 'must not have a segment longer than 255 bytes (one has 256)'],
    ['a key of 1028 bytes', `${'a'.repeat(250)}/`.repeat(4) + 'abcdefghijklmnopqrstuvwx', `must be at most ${MAX_KEY_BYTES} bytes long (it has 1028)`],
    ['a temporary file', 'runs/x/a.carve-tmp', "must not end with '.carve-tmp' (kept for temporary files)"],
    ['the empty key', '', 'is empty'],
  ])('refuses %s', (_what, key, problem) => {
    expect(keyProblem(key)).toBe(problem);
  });

  test.each([
    ['a run file', 'runs/20261128-2042-1a2b3c/front.json'],
    ['an exported model', 'models/t3/onnx/model.onnx'],
    ['precomposed accents', 'inputs/0123456789abcdef/données.txt'],
    ['CJK and a space', 'inputs/0123456789abcdef/训练 数据.txt'],
    ['dots inside names', 'a..b/.hidden'],
    ['a segment of 254 bytes', `runs/${'é'.repeat(127)}`],
  ])('accepts %s', (_what, key) => {
    expect(keyProblem(key)).toBeUndefined();
  });
});

describe('runIdProblem', () => {
  test.each(['20261128-2042-1a2b3c', 'cloud-0123456789abcdef', 'baseline_v2.1', 'x'.repeat(100)])('accepts %s', (id) => {
    expect(runIdProblem(id)).toBeUndefined();
  });

  test.each([['101 characters', 'x'.repeat(101)], ['a leading dash', '-flag'], ['a space', 'a b'], ['an accent', 'é'], ['a number', 42], ['nothing', undefined]])('refuses %s', (_what, id) => {
    expect(runIdProblem(id)).toMatch(/^is not valid: use 1 to 100 letters/);
  });
});

describe('packageNameProblem', () => {
  test.each(['carve-plugin-example', '@acme/carve-grid', 'JSONStream', 'lodash.merge'])('accepts %j', (name) => {
    expect(packageNameProblem(name)).toBeUndefined();
  });

  test.each(['./local', '../x', '/abs/plugin', 'pkg/sub', '@acme/grid/dist', 'C:\\plugins\\x', '~/plugin', '.hidden', 'a\\b'])('refuses the path %j as a path', (name) => {
    expect(packageNameProblem(name)).toMatch(/^is a path, not a package name: plugins are installed packages/);
  });

  test.each(['_private', 'node:fs', 'carve plugin', 'plügin', 'x'.repeat(215)])('refuses %s', (name) => {
    expect(packageNameProblem(name)).toMatch(/^is (not an npm package name|longer than npm's 214 characters)/);
  });
});

describe('quoteName', () => {
  test('quotes as JSON does, escaping what JSON leaves raw: C1 and format characters, separators and combining marks', () => {
    expect(quoteName('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(quoteName('\u202egnp.exe')).toBe('"\\u202Egnp.exe"');
    expect(quoteName('a\u2028b\u0085c\u00a0d e')).toBe('"a\\u2028b\\u0085c\\u00A0d e"');
    expect(quoteName('cafe\u0301')).toBe('"cafe\\u0301"');
    expect(quoteName('\u{e0041}')).toBe('"\\u{E0041}"');
    expect(quoteName('données')).toBe('"données"');
  });

  test('cuts a long name to 120 characters, saying how long it was', () => {
    expect(quoteName('x'.repeat(121))).toBe(`"${'x'.repeat(120)}…" (121 characters)`);
    expect(quoteName('x'.repeat(120))).toBe(`"${'x'.repeat(120)}"`);
  });
});
