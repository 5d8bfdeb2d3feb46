/**
 * @module options
 * Parsing a plugin's options from a run spec. zod does the checking; this module turns its
 * issues into lines a user can act on ("bins: must be >= 2 (got 1)") and adds the one check
 * zod leaves off by default: an unknown key, which is almost always a typo of a real option
 * and would otherwise be dropped without a word.
 */
import type { z } from 'zod';
import { show } from './format';

/** The parsed options, or one line per problem, each starting with the option's path. */
export type OptionsResult<Options> = { ok: true; options: Options } | { ok: false; issues: string[] };

/** Parses `raw` (absent means `{}`: every default) with `schema`, reporting every problem. */
export function parseOptions<Options>(schema: z.ZodType<Options>, raw: unknown): OptionsResult<Options> {
  const input = raw === undefined ? {} : raw;
  const strays = unknownKeys(schema, input);
  const issues = [...(strays ?? [])];
  const result = schema.safeParse(input);
  for (const issue of result.error?.issues ?? []) {
    // A strict schema reports top-level unknown keys too; ours already did, naming the options.
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0 && strays) continue;
    const where = formatPath(issue.path);
    issues.push(`${where ? `${where}: ` : ''}${describeIssue(issue, valueAt(input, issue.path))}`);
  }
  return issues.length > 0 || !result.success ? { ok: false, issues } : { ok: true, options: result.data };
}

/**
 * Top-level keys an object schema does not declare (zod's default object strips them), or
 * null when the schema is not an object schema or the input not an object (zod reports that).
 */
function unknownKeys(schema: unknown, input: unknown): string[] | null {
  const shape = (schema as { shape?: unknown }).shape;
  if (typeof shape !== 'object' || shape === null || !isPlainObject(input)) return null;
  const known = Object.keys(shape);
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .map((key) => `${key}: unknown option (options: ${known.join(', ') || 'none'})`);
}

function describeIssue(issue: z.core.$ZodIssue, got: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined) return `required (expected ${article(issue.expected)})`;
      return `expected ${article(issue.expected)} (got ${show(got)})`;
    case 'too_small':
    case 'too_big':
      return `${bound(issue)} (got ${show(got)})`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${show(issue.values[0])} (got ${show(got)})`
        : `must be one of ${issue.values.map(show).join(', ')} (got ${show(got)})`;
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    default:
      // Custom refinements and formats: their own message is the best description there is.
      return `${issue.message} (got ${show(got)})`;
  }
}

/** "must be >= 2", "must have at most 3 items", from a size issue. */
function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const unit = issue.origin === 'string' ? 'characters' : issue.origin === 'array' || issue.origin === 'set' ? 'items' : null;
  if (unit) {
    const phrase = small ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'fewer than';
    return `must have ${phrase} ${limit} ${unit}`;
  }
  return `must be ${small ? '>' : '<'}${issue.inclusive ? '=' : ''} ${limit}`;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** `layers[2].heads`: the path as it would be written in code. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
