/**
 * @module mutate/json
 * Mutations that keep a document parseable but change what it says: a value replaced by an
 * edge value or another type, a key dropped, renamed or added, a subtree nested thousands
 * deep. They find the checks a schema forgot; text mutations (see text.ts) find the parsers'.
 */
import { Prng } from '../prng';

type Container = Record<string, unknown> | unknown[];

/** Values on the edges validators check: signs, 2^53, 1e308, numbers as strings, empties, long text. */
export const EDGE_VALUES: readonly unknown[] = [
  0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 5e-324, 4294967296,
  '', 'NaN', 'Infinity', '-1', '1e308', 'x'.repeat(5000), 'a\nb', 'tab\there', '\u0000',
  null, true, false, [], {}, [1, 2, 3], ['a', 'b'], { a: 1 },
];

/** Keys a loader may look up by accident: prototype names, an empty key, a line break, a long one. */
export const ODD_KEYS = ['unknown_key', '__proto__', 'constructor', 'toString', '', 'a\nb', 'k'.repeat(300)];

const DEEP = '\u0000fuzz-deep:';

/**
 * A placeholder that `serialize` replaces by `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels
 * deep (by default 64, 1,000 or 100,000: deeper than JSON.stringify's recursion can go).
 */
export function deep(rng: Prng, depth = rng.pick([64, 1000, 100_000])): string {
  return `${DEEP}${rng.pick(['[', '{'])}${depth}`;
}

/** Sets an own key, even `__proto__` (which plain assignment would take as the prototype). */
function setKey(node: Container, key: string | number, value: unknown): void {
  if (Array.isArray(node)) node[key as number] = value;
  else Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** A random (parent, key) down from the root, preferring to go deeper; undefined for a scalar root. */
function walk(rng: Prng, root: unknown): { node: Container; key: string | number } | undefined {
  if (!isContainer(root)) return undefined;
  let node: Container = root;
  while (true) {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) return { node, key: Array.isArray(node) ? 0 : 'unknown_key' };
    const key = rng.pick(keys);
    const child = (node as Record<string, unknown>)[key];
    if (!isContainer(child) || rng.chance(0.3)) return { node, key };
    node = child;
  }
}

/** Every value in the document, for copying one over another (overlapping offsets, swapped shapes). */
function values(root: unknown, out: unknown[] = []): unknown[] {
  out.push(root);
  if (isContainer(root)) for (const v of Object.values(root)) values(v, out);
  return out;
}

function retype(rng: Prng, v: unknown): unknown {
  if (typeof v === 'number') return rng.pick([String(v), [v], { value: v }, v !== 0]);
  if (typeof v === 'string') return rng.pick([Number(v) || v.length, [v], { [v]: v }, v === '']);
  if (typeof v === 'boolean') return rng.pick([Number(v), String(v)]);
  if (Array.isArray(v)) return rng.pick([Object.fromEntries(v.map((x, i) => [String(i), x])), v.length, JSON.stringify(v).slice(0, 100)]);
  if (isContainer(v)) return rng.pick([Object.values(v), Object.keys(v).join(','), Object.keys(v).length]);
  return rng.pick([0, '', [], {}]);
}

function nudge(rng: Prng, v: unknown): unknown {
  if (typeof v !== 'number') return rng.pick(EDGE_VALUES);
  return rng.pick([v + 1, v - 1, -v, v * 2, v / 2, v * 1e6, Math.floor(v / 3), v + 0.5]);
}

export const JSON_MUTATIONS: Readonly<Record<string, (rng: Prng, root: unknown) => unknown>> = {
  replace: (rng, root) => edit(rng, root, () => structuredClone(rng.pick(EDGE_VALUES))),
  retype: (rng, root) => edit(rng, root, (v) => retype(rng, v)),
  nudge: (rng, root) => edit(rng, root, (v) => nudge(rng, v)),
  nest: (rng, root) => edit(rng, root, () => deep(rng)),
  copy: (rng, root) => {
    const pool = values(root);
    return edit(rng, root, () => structuredClone(rng.pick(pool)));
  },
  remove(rng, root) {
    const at = walk(rng, root);
    if (!at) return undefined;
    if (Array.isArray(at.node)) at.node.splice(at.key as number, 1);
    else delete at.node[at.key as string];
    return root;
  },
  addKey(rng, root) {
    const at = walk(rng, root);
    if (!at) return { [rng.pick(ODD_KEYS)]: root };
    const target = isContainer((at.node as Record<string, unknown>)[at.key]) && rng.chance(0.5) ? ((at.node as Record<string, unknown>)[at.key] as Container) : at.node;
    if (Array.isArray(target)) target.push(structuredClone(rng.pick(EDGE_VALUES)));
    else setKey(target, rng.pick(ODD_KEYS), structuredClone(rng.pick(EDGE_VALUES)));
    return root;
  },
  renameKey(rng, root) {
    const at = walk(rng, root);
    if (!at || Array.isArray(at.node)) return root;
    const value = at.node[at.key as string];
    delete at.node[at.key as string];
    setKey(at.node, rng.pick([`${at.key}_`, String(at.key).toUpperCase(), ` ${at.key}`, rng.pick(ODD_KEYS)]), value);
    return root;
  },
};

/** Replaces the value at a random place (the root itself when it is a scalar) by `f(old)`. */
function edit(rng: Prng, root: unknown, f: (old: unknown) => unknown): unknown {
  const at = walk(rng, root);
  if (!at) return f(root);
  setKey(at.node, at.key, f((at.node as Record<string, unknown>)[at.key]));
  return root;
}

/** One to three JSON mutations of a copy of `value`; returns the new document and their names. */
export function mutateJson(rng: Prng, value: unknown): { value: unknown; applied: string[] } {
  let doc = structuredClone(value);
  const applied: string[] = [];
  for (let n = rng.range(1, 3); n > 0; n--) {
    const name = rng.pick(Object.keys(JSON_MUTATIONS));
    doc = JSON_MUTATIONS[name](rng, doc);
    applied.push(`json.${name}`);
  }
  return { value: doc, applied };
}

/** JSON text of `value`, compact or indented, with each nesting placeholder expanded. */
export function serialize(value: unknown, indent = false): string {
  return expandNesting(JSON.stringify(value, null, indent ? 2 : undefined) ?? 'null');
}

/** `text` (JSON, or YAML with JSON-quoted strings) with each nesting placeholder expanded. */
export function expandNesting(text: string): string {
  return text.replace(/"\\u0000fuzz-deep:([[{])(\d+)"/g, (_, open: string, depth: string) => {
    const n = Number(depth);
    return open === '[' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  });
}
