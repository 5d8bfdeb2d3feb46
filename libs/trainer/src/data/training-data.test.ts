import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tokenizer } from '@carve/model';
import { DataError } from './data-error';
import { ALPACA_TEMPLATE, DataSource } from './sources';
import { buildTrainingData, TrainingData, TrainingDataOptions } from './training-data';

/** One id per character (its code point + 3); BOS 1, EOS 2. */
const chars: Tokenizer = {
  vocabSize: 0x10000 + 3,
  bosId: 1,
  eosId: 2,
  encode: (text, o) => [...(o?.bos ? [1] : []), ...Array.from(text, (c) => c.codePointAt(0)! + 3), ...(o?.eos ? [2] : [])],
  decode: (ids) => ids.filter((i) => i > 2).map((i) => String.fromCodePoint(i - 3)).join(''),
};
const id = (c: string) => c.codePointAt(0)! + 3;
const ids = (s: string) => Array.from(s, id);
const I = -100;

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-data-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const build = (sources: DataSource[], options: Partial<TrainingDataOptions> = {}) => buildTrainingData(chars, sources, { seqLen: 3, seed: 0, ...options });
const rows = (data: TrainingData, split: 'train' | 'validation' = 'train') => {
  const { tokens, targets, rows: n } = data[split];
  const T = data.seqLen;
  return Array.from({ length: n }, (_, r) => ({ tokens: [...tokens.subarray(r * T, (r + 1) * T)], targets: [...targets.subarray(r * T, (r + 1) * T)] }));
};
function thrown(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

describe('packing', () => {
  it('packs documents into rows of seqLen + 1, BOS first, BOS never a target, the tail dropped', () => {
    const p = file('two.jsonl', jsonl([{ text: 'abcd' }, { text: 'efg' }]));
    // Stream: BOS a b c | d BOS e f | g (dropped).
    const data = build([{ format: 'jsonl', path: p }]);
    expect(rows(data)).toEqual([
      { tokens: [1, ...ids('ab')], targets: ids('abc') },
      { tokens: [id('d'), 1, id('e')], targets: [I, ...ids('ef')] },
    ]);
    expect(data.record.train).toEqual({ documents: 2, tokens: 9, sequences: 2 });
    expect(data.record.files[0]).toMatchObject({ path: p, bytes: fs.statSync(p).size });
    expect(data.record.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a plain text file whole, or cut at a separator, and takes a JSONL field name and ignore index', () => {
    const whole = build([{ format: 'text', path: file('a.txt', 'abc') }], { ignoreIndex: -1 });
    expect(rows(whole)).toEqual([{ tokens: [1, ...ids('ab')], targets: ids('abc') }]);
    const cut = build([{ format: 'text', path: file('b.txt', 'ab\n\n\n\ncd\n\n') , separator: '\n\n' }], { ignoreIndex: -1 });
    expect(rows(cut)).toEqual([{ tokens: [1, ...ids('ab')], targets: [...ids('ab'), -1] }]); // BOS a b | BOS c d
    expect(cut.record.train.documents).toBe(2);
    const named = build([{ format: 'jsonl', path: file('c.jsonl', jsonl([{ body: 'xyz' }])), field: 'body' }]);
    expect(rows(named)).toEqual([{ tokens: [1, ...ids('xy')], targets: ids('xyz') }]);
  });

  it('masks the Alpaca prompt and learns the response and its EOS', () => {
    const template = { withInput: 'I{instruction}N{input}R', withoutInput: 'I{instruction}R' };
    const p = file('alpaca.jsonl', jsonl([{ instruction: 'x', input: 'y', output: 'zz' }, { instruction: 'u', output: 'v' }, { instruction: '{input}', input: 'q', output: 'w' }]));
    const data = build([{ format: 'alpaca', path: p, template }], { seqLen: 8 });
    // BOS I x N y R z z EOS | BOS I u R v EOS BOS I {…} (cut)
    expect(rows(data)[0]).toEqual({ tokens: [1, ...ids('IxNyRzz')], targets: [I, I, I, I, I, ...ids('zz'), 2] });
    expect(rows(data)[1]).toEqual({ tokens: [1, ...ids('IuRv'), 2, 1, id('I')], targets: [I, I, I, id('v'), 2, I, I, I] });
    // The placeholder inside an instruction is kept as text, not filled.
    const third = build([{ format: 'alpaca', path: file('p.jsonl', jsonl([{ instruction: '{input}', input: 'q', output: 'w' }])), template }], { seqLen: 13 });
    expect(chars.decode(rows(third)[0].tokens)).toBe('I{input}NqRw');
  });

  it('renders the default Alpaca templates, with and without input', () => {
    const p = file('default.jsonl', jsonl([{ instruction: 'Add.', input: '1 2', output: '3' }, { instruction: 'Hi.', input: '', output: 'Hello' }]));
    const withInput = 'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\nAdd.\n\n### Input:\n1 2\n\n### Response:\n';
    const withoutInput = 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nHi.\n\n### Response:\n';
    // Exactly one row per record: BOS, prompt, response, EOS.
    const first = build([{ format: 'alpaca', path: p }], { seqLen: withInput.length + 2 });
    expect(rows(first)).toEqual([{ tokens: [1, ...ids(withInput + '3')], targets: [...ids(withInput).map(() => I), id('3'), 2] }]);
    const both = build([{ format: 'alpaca', path: p }], { seqLen: withInput.length + withoutInput.length + 9 });
    expect(chars.decode(rows(both)[0].tokens)).toBe(withInput + '3' + withoutInput + 'Hello');
    expect(ALPACA_TEMPLATE.withoutInput).not.toContain('{input}');
  });
});

describe('train/validation split', () => {
  // 20 documents, each one letter repeated, so a row's letters name its documents.
  const letters = Array.from({ length: 20 }, (_, i) => String.fromCharCode(65 + i));
  const docs = () => file('letters.jsonl', jsonl(letters.map((c) => ({ text: c.repeat(6) }))));
  const seen = (data: TrainingData, split: 'train' | 'validation') => new Set(chars.decode(rows(data, split).flatMap((r) => [...r.tokens, ...r.targets])));

  it('splits documents before packing, so none is in both splits, and the seed decides the split', () => {
    const p = docs();
    const data = build([{ format: 'jsonl', path: p }], { seqLen: 6, validationFraction: 0.25, seed: 7 });
    expect([data.record.train.documents, data.record.validation.documents]).toEqual([15, 5]);
    const train = seen(data, 'train');
    const validation = seen(data, 'validation');
    expect([...train].filter((c) => validation.has(c))).toEqual([]);
    expect(train.size + validation.size).toBe(20);
    expect(rows(build([{ format: 'jsonl', path: p }], { seqLen: 6, validationFraction: 0.25, seed: 7 }), 'validation')).toEqual(rows(data, 'validation'));
    expect(seen(build([{ format: 'jsonl', path: p }], { seqLen: 6, validationFraction: 0.25, seed: 8 }), 'validation')).not.toEqual(validation);
  });

  it('holds out at least one document and leaves at least one for training', () => {
    const p = docs();
    expect(build([{ format: 'jsonl', path: p }], { validationFraction: 0.01 }).record.validation.documents).toBe(1);
    expect(build([{ format: 'jsonl', path: p }], { validationFraction: 0.99 }).record.train.documents).toBe(1);
    expect(build([{ format: 'jsonl', path: p }]).record.validation).toEqual({ documents: 0, tokens: 0, sequences: 0 });
  });
});

describe('errors', () => {
  it('rejects bad options, all at once', () => {
    const p = file('ok.txt', 'abcdef');
    const e = thrown(() => buildTrainingData(chars, [{ format: 'text', path: p }], { seqLen: 0, seed: 1.5, validationFraction: 1, ignoreIndex: 0.5 }));
    expect(e.code).toBe('invalid_data_options');
    expect(e.message).toBe('training data: seqLen must be a positive integer, got 0; seed must be an integer, got 1.5; validationFraction must be in [0, 1), got 1; ignoreIndex must be an integer, got 0.5');
    expect(e.issues).toHaveLength(4);
    expect(thrown(() => build([{ format: 'text', path: p }], { validationFraction: -0.1 })).message).toBe('training data: validationFraction must be in [0, 1), got -0.1');
    expect(thrown(() => build([{ format: 'text', path: p }], { validationFraction: NaN })).message).toBe('training data: validationFraction must be in [0, 1), got NaN');
    expect(thrown(() => build([])).message).toBe('training data: no data sources given');
    const bad = thrown(() => build([{ format: 'alpaca', path: p, template: { withInput: '{input}', withoutInput: 'x' } }]));
    expect(bad.message).toBe(`training data: ${p}: alpaca template: withInput lacks {instruction}, withoutInput lacks {instruction}`);
  });

  it('names a missing or empty file', () => {
    const gone = path.join(dir, 'gone.txt');
    const missing = thrown(() => build([{ format: 'text', path: gone }, { format: 'jsonl', path: dir }]));
    expect(missing.code).toBe('data_file_missing');
    expect(missing.message).toBe(`training data: ${gone}: no such file; ${dir}: not a file`);
    const empty = file('empty.txt', ' \n');
    const blank = file('blank.jsonl', '\n\n');
    const e = thrown(() => build([{ format: 'text', path: empty }, { format: 'jsonl', path: blank }]));
    expect(e.code).toBe('data_file_empty');
    expect(e.message).toBe(`training data: ${empty}: empty file; give at least one document; ${blank}: empty file; give at least one document`);
  });

  it('names the file and line of every bad JSONL record', () => {
    const p = file('bad.jsonl', '{"text": "ok"}\n{"text": \n[1]\n{"txt": "a"}\n{"text": 3}\n');
    const e = thrown(() => build([{ format: 'jsonl', path: p }]));
    expect(e.code).toBe('invalid_data_record');
    expect(e.issues).toEqual([`${p}:2: not valid JSON`, `${p}:3: not a JSON object but an array`, `${p}:4: field 'text' is missing`, `${p}:5: field 'text' must be a string, got a number`]);
    expect(e.message).toBe(`training data: ${e.issues.join('; ')}`);
    const many = file('many.jsonl', 'x\n'.repeat(12));
    const capped = thrown(() => build([{ format: 'jsonl', path: many }]));
    expect(capped.issues).toHaveLength(12);
    expect(capped.message.endsWith(`${many}:10: not valid JSON; and 2 more`)).toBe(true);
  });

  it('names an Alpaca record without instruction or output', () => {
    const p = file('bad-alpaca.jsonl', jsonl([{ output: 'x' }, { instruction: 'a', input: 4, output: null }, { instruction: 'a', output: 'b' }]));
    const e = thrown(() => build([{ format: 'alpaca', path: p }]));
    expect(e.code).toBe('invalid_data_record');
    expect(e.issues).toEqual([`${p}:1: alpaca record: 'instruction' is missing`, `${p}:2: alpaca record: 'input' must be a string, got a number, 'output' must be a string, got null`]);
  });

  it('says when a split is too short for one sequence, or one document cannot be split', () => {
    const p = file('short.txt', 'ab');
    const e = thrown(() => build([{ format: 'text', path: p }]));
    expect(e.code).toBe('data_too_short');
    expect(e.message).toBe(`training data: ${p}: the train split has 3 tokens from 1 document, fewer than one sequence of 3 + 1; use a shorter seqLen or more data`);
    const one = thrown(() => build([{ format: 'text', path: p }], { validationFraction: 0.1 }));
    expect(one.message).toBe(`training data: ${p}: 1 document cannot be split with validationFraction 0.1; give more documents (a text source can cut a file with 'separator') or set validationFraction to 0`);
    const q = file('two-short.jsonl', jsonl([{ text: 'a' }, { text: 'b' }]));
    const v = thrown(() => build([{ format: 'jsonl', path: q }], { validationFraction: 0.5 }));
    expect(v.issues).toEqual([
      `${q}: the train split has 2 tokens from 1 document, fewer than one sequence of 3 + 1; use a shorter seqLen or more data`,
      `${q}: the validation split has 2 tokens from 1 document, fewer than one sequence of 3 + 1; use a shorter seqLen or a larger validationFraction`,
    ]);
  });
});
