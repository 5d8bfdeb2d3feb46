import { isUserError, oneLine, preview, UserError } from './index';

describe('UserError', () => {
  test('isUserError recognizes UserErrors, also from another copy of the package, and nothing else', () => {
    expect(isUserError(new UserError('bad file', 'bad_file'))).toBe(true);
    // An error made by another copy of @carve/errors carries the same registered brand.
    const foreign = Object.assign(new Error('from a plugin'), { [Symbol.for('carve.UserError')]: true });
    expect(isUserError(foreign)).toBe(true);
    expect(isUserError(new Error('bug'))).toBe(false);
    expect(isUserError('text')).toBe(false);
    expect(new UserError('x', 'y').issues).toEqual(['x']);
  });
});

describe('message helpers', () => {
  test('oneLine escapes line breaks, so a message quoting input stays one line', () => {
    expect(oneLine('a\nb\r\nc\u2028d')).toBe('a\\nb\\r\\nc\\u2028d');
    let message = '';
    try {
      JSON.parse('{\n  "a": x\n}');
    } catch (e) {
      message = oneLine((e as Error).message);
    }
    expect(message).toMatch(/^Unexpected token/);
    expect(message).not.toMatch(/[\r\n]/);
  });

  test('preview shows a value as short JSON and describes one too deep to stringify instead of throwing', () => {
    expect(preview({ a: [1, 'x\ny'] })).toBe('{"a":[1,"x\\ny"]}');
    expect(preview('x'.repeat(300), 10)).toBe(`"${'x'.repeat(9)}…`);
    expect(preview(undefined)).toBe('undefined');
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(preview(deep)).toBe('[…] (an array nested too deep to show)');
    expect(preview(JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`))).toBe('an object nested too deep to show');
  });
});
