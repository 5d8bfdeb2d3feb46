import { isUserError, UserError } from './index';

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
