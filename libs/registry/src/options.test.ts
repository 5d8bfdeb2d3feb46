import { z } from 'zod';
import { parseOptions } from './options';

const schema = z.object({
  bins: z.number().int().min(2).default(21),
  lr: z.number().positive().max(1).default(0.1),
  metric: z.enum(['magnitude', 'perplexity']).default('magnitude'),
  label: z.string().min(2).max(8).optional(),
  tags: z.array(z.string()).max(2).default([]),
  layers: z.array(z.object({ heads: z.number().int().min(1) })).default([]),
  even: z
    .number()
    .refine((n) => n % 2 === 0, 'must be even')
    .default(2),
});

/** One table over the issue kinds: what a user writes, and the line they read back. */
const CASES: [string, Record<string, unknown>, string][] = [
  ['a number too small', { bins: 1 }, 'bins: must be >= 2 (got 1)'],
  ['a fraction where an integer goes', { bins: 2.5 }, 'bins: expected an integer (got 2.5)'],
  ['a string where a number goes', { bins: '4' }, 'bins: expected a number (got "4")'],
  ['a non-finite number', { bins: Infinity }, 'bins: expected a number (got Infinity)'],
  ['an exclusive lower bound', { lr: 0 }, 'lr: must be > 0 (got 0)'],
  ['an upper bound', { lr: 2 }, 'lr: must be <= 1 (got 2)'],
  ['a value outside an enum', { metric: 'loss' }, 'metric: must be one of "magnitude", "perplexity" (got "loss")'],
  ['a string too short', { label: 'a' }, 'label: must have at least 2 characters (got "a")'],
  ['a string too long', { label: 'abcdefghij' }, 'label: must have at most 8 characters (got "abcdefghij")'],
  ['an array too long', { tags: ['a', 'b', 'c'] }, 'tags: must have at most 2 items (got ["a","b","c"])'],
  ['a nested field', { layers: [{ heads: 2 }, { heads: 0 }] }, 'layers[1].heads: must be >= 1 (got 0)'],
  ['a custom refinement', { even: 3 }, 'even: must be even (got 3)'],
  ['an unknown option', { bnis: 3 }, 'bnis: unknown option (options: bins, lr, metric, label, tags, layers, even)'],
];

describe('parseOptions', () => {
  it.each(CASES)('reports %s', (_what, input, line) => {
    expect(parseOptions(schema, input)).toEqual({ ok: false, issues: [line] });
  });

  it('reports a missing option that has no default', () => {
    expect(parseOptions(z.object({ bucket: z.string() }), {})).toEqual({ ok: false, issues: ['bucket: required (expected a string)'] });
  });

  it('reports every problem at once, unknown options first', () => {
    const result = parseOptions(schema, { bins: 1, metric: 'loss', extra: true });
    expect(result).toEqual({
      ok: false,
      issues: [
        'extra: unknown option (options: bins, lr, metric, label, tags, layers, even)',
        'bins: must be >= 2 (got 1)',
        'metric: must be one of "magnitude", "perplexity" (got "loss")',
      ],
    });
  });

  it('reports options that are not an object', () => {
    expect(parseOptions(schema, 3)).toEqual({ ok: false, issues: ['expected an object (got 3)'] });
  });

  it('reports a strict schema’s unknown keys once', () => {
    const strict = z.strictObject({ a: z.number().default(1), inner: z.strictObject({ b: z.number() }).optional() });
    expect(parseOptions(strict, { c: 1, inner: { b: 1, d: 2 } })).toEqual({
      ok: false,
      issues: ['c: unknown option (options: a, inner)', "inner: unknown key 'd'"],
    });
  });

  it('parses absent options as the defaults', () => {
    const defaults = z.object({ bins: z.number().default(21) });
    expect(parseOptions(defaults, undefined)).toEqual({ ok: true, options: { bins: 21 } });
  });
});
