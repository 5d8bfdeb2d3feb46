import { CatalogError } from './errors';
import { checkRunId, newRunId } from './run-id';

describe('newRunId', () => {
  const date = new Date('2026-11-28T20:42:59.999Z');

  test('is the UTC minute, then 6 hex digits of the spec hash', () => {
    expect(newRunId(date, { model: 'stories260K' })).toMatch(/^20261128-2042-[0-9a-f]{6}$/);
  });

  test('depends on the spec, not on the order of its keys', () => {
    const a = newRunId(date, { model: 'stories260K', search: { budget: 30, seed: 1 } });
    expect(newRunId(date, { search: { seed: 1, budget: 30 }, model: 'stories260K' })).toBe(a);
    expect(newRunId(date, { model: 'stories260K', search: { budget: 31, seed: 1 } })).not.toBe(a);
  });

  test('gives ids that pass checkRunId', () => {
    expect(checkRunId(newRunId(date, {}))).toBe(newRunId(date, {}));
  });
});

describe('checkRunId', () => {
  test.each(['', '../x', 'a/b', '-flag', 'a b', 'x'.repeat(101), 'é'])('refuses %j', (id) => {
    expect(() => checkRunId(id)).toThrow(CatalogError);
    expect(() => checkRunId(id)).toThrow(`run id ${JSON.stringify(id)} is not valid`);
  });

  test.each(['20261128-2042-1a2b3c', 'baseline_v2.1', 'x'.repeat(100)])('accepts %j', (id) => {
    expect(checkRunId(id)).toBe(id);
  });
});
