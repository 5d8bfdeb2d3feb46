import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tokenizer } from '@carve/model';
import { buildCalibrationSet } from './calibration';

/** One id per character (BOS = 1), enough to check windows and records exactly. */
const charTokenizer: Tokenizer = {
  vocabSize: 256,
  bosId: 1,
  eosId: 2,
  encode: (text, options) => [...(options?.bos ? [1] : []), ...Array.from(text, (ch) => ch.charCodeAt(0) % 256)],
  decode: (ids) => String.fromCharCode(...ids),
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibration-'));
const text = path.join(dir, 'a.txt');
fs.writeFileSync(text, 'abcdefghijklmnopqrstuvwxyz'.repeat(4)); // 104 chars + BOS = 105 tokens
const jsonl = path.join(dir, 'b.jsonl');
fs.writeFileSync(jsonl, '{"text": "hello"}\n{"text": "world"}\n\n');

describe('buildCalibrationSet', () => {
  test('cuts the stream into non-overlapping windows of seqLen + 1 and draws them with the seed', () => {
    const a = buildCalibrationSet(charTokenizer, [text], { seqLen: 9, samples: 4, seed: 1 });
    expect(a.record.available).toBe(10); // floor(105 / 10)
    expect(a.sequences).toHaveLength(4);
    expect(a.sequences.every((s) => s.length === 10)).toBe(true);
    const all = [1, ...Array.from('abcdefghijklmnopqrstuvwxyz'.repeat(4), (ch) => ch.charCodeAt(0))];
    a.record.windows.forEach((w, i) => expect(a.sequences[i]).toEqual(all.slice(w * 10, w * 10 + 10)));
    expect(buildCalibrationSet(charTokenizer, [text], { seqLen: 9, samples: 4, seed: 1 }).record.windows).toEqual(a.record.windows);
    expect(buildCalibrationSet(charTokenizer, [text], { seqLen: 9, samples: 4, seed: 2 }).record.windows).not.toEqual(a.record.windows);
    expect(a.record.files[0]).toMatchObject({ path: text, bytes: 104 });
    expect(a.record.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('JSONL files give one document per line, each starting with BOS', () => {
    const set = buildCalibrationSet(charTokenizer, [jsonl], { seqLen: 5, samples: 2, seed: 0 });
    expect(set.sequences.map((s) => charTokenizer.decode(s.slice(1)))).toEqual(['hello', 'world']);
  });

  test('bad input is reported clearly', () => {
    expect(() => buildCalibrationSet(charTokenizer, [text], { seqLen: 200, samples: 1, seed: 0 })).toThrow(
      `calibration: ${text} gives 105 tokens, fewer than one sequence of 200 + 1`,
    );
    expect(() => buildCalibrationSet(charTokenizer, [text], { seqLen: 9, samples: 11, seed: 0 })).toThrow('11 samples asked, but');
    expect(() => buildCalibrationSet(charTokenizer, [path.join(dir, 'none.txt')], { seqLen: 0, samples: 1, seed: 0 })).toThrow(
      /calibration: sequence length must be a positive integer, got 0; .*none\.txt: no such file/,
    );
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"body": "x"}\n');
    expect(() => buildCalibrationSet(charTokenizer, [bad], { seqLen: 2, samples: 1, seed: 0 })).toThrow(`${bad}:1: no string field 'text'`);
  });
});
