/**
 * @module mutate/text
 * Mutations of a document's text that break its syntax or stress its parser: stray and
 * missing brackets, numbers no JSON parser accepts (NaN, 1e999), control characters, lines
 * moved about, and, for YAML, anchors and aliases that expand exponentially.
 */
import { Prng } from '../prng';

export type TextMutation = (rng: Prng, text: string) => string;

const STRUCTURE = ['{', '}', '[', ']', '"', ',', ':', '\\', '\n', ' ', '-', 'e', '0', '\u0000', '\r', '#', '&', '*', '!', '|', '>'];
const ODD_NUMBERS = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '1e-999', '9'.repeat(400), '0x10', '1_000', '01', '.5', '+1', '-0'];

const lines = (text: string) => text.split('\n');
const at = (rng: Prng, n: number) => rng.int(Math.max(1, n));

export const TEXT_MUTATIONS: Readonly<Record<string, TextMutation>> = {
  deleteChar(rng, text) {
    const i = at(rng, text.length);
    return text.slice(0, i) + text.slice(i + 1);
  },
  insertChar(rng, text) {
    const i = at(rng, text.length + 1);
    return text.slice(0, i) + rng.pick(STRUCTURE) + text.slice(i);
  },
  truncate: (rng, text) => text.slice(0, at(rng, text.length)),
  oddNumber(rng, text) {
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    if (!numbers.length) return text + rng.pick(ODD_NUMBERS);
    const m = rng.pick(numbers);
    return text.slice(0, m.index) + rng.pick(ODD_NUMBERS) + text.slice(m.index! + m[0].length);
  },
  deleteLine(rng, text) {
    const ls = lines(text);
    ls.splice(at(rng, ls.length), 1);
    return ls.join('\n');
  },
  duplicateLine(rng, text) {
    const ls = lines(text);
    const i = at(rng, ls.length);
    ls.splice(i, 0, ls[i] ?? '');
    return ls.join('\n');
  },
  swapLines(rng, text) {
    const ls = lines(text);
    const [i, j] = [at(rng, ls.length), at(rng, ls.length)];
    [ls[i], ls[j]] = [ls[j], ls[i]];
    return ls.join('\n');
  },
  crlf: (_rng, text) => text.replace(/\n/g, '\r\n'),
  bom: (_rng, text) => `\ufeff${text}`,
  binaryJunk: (rng, text) => text.slice(0, at(rng, text.length)) + String.fromCharCode(...Array.from({ length: 16 }, () => rng.int(256))),
};

/** YAML only: the exponential alias expansion ("billion laughs"), self-references, tags, deep flows. */
export const YAML_MUTATIONS: Readonly<Record<string, TextMutation>> = {
  aliasBomb(_rng, text) {
    const levels = 'abcdefghi'.split('');
    const defs = levels.map((k, i) => `  ${k}: &${k} [${Array(9).fill(i === 0 ? '"lol"' : `*${levels[i - 1]}`).join(', ')}]`);
    return `${text}\nfuzz_bomb:\n${defs.join('\n')}\n`;
  },
  aliasInOptions(_rng, text) {
    return text.replace(/^(\s*)options:.*$/m, (_, indent: string) => `${indent}options:\n${indent}  a: &a [1, 2, 3, 4, 5, 6, 7, 8]\n${indent}  b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n${indent}  c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n${indent}  d: [*c, *c, *c, *c, *c, *c, *c, *c]`);
  },
  undefinedAlias: (rng, text) => text.replace(/: (\S+)$/m, rng.pick([': *nowhere', ': &x *x', ': !!binary aGVsbG8=', ': !custom tag', ': !!set {a, b}', ': !!timestamp 2001-12-14', ': <<: *nowhere'])),
  specialScalar: (rng, text) => text.replace(/: (\d[\d.e-]*)$/m, `: ${rng.pick(['.nan', '.inf', '-.inf', '0x1F', '0o17', '1e308', '~', 'yes', '1_0', '12:30'])}`),
  deepFlow(rng, text) {
    const n = rng.pick([100, 2000]); // deeper takes the YAML parser seconds
    return text.replace(/: (\S+)$/m, `: ${'['.repeat(n)}1${']'.repeat(n)}`);
  },
  tabIndent: (_rng, text) => text.replace(/^ {2}/m, '\t'),
  duplicateKey: (_rng, text) => text.replace(/^(\w+):(.*)$/m, '$1:$2\n$1:$2'),
  mergeKey: (_rng, text) => `base: &base {seed: 1}\n${text}\n<<: *base\n`,
};

/** One or two mutations from `table`; returns the text and their names. */
export function mutateText(rng: Prng, text: string, table: Readonly<Record<string, TextMutation>> = TEXT_MUTATIONS, prefix = 'text'): { text: string; applied: string[] } {
  const applied: string[] = [];
  let out = text;
  for (let n = rng.range(1, 2); n > 0; n--) {
    const name = rng.pick(Object.keys(table));
    out = table[name](rng, out);
    applied.push(`${prefix}.${name}`);
  }
  return { text: out, applied };
}
