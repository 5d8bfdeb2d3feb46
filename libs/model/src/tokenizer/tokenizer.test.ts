import { readFileSync } from 'node:fs';
import { DecodeStream } from './decode-stream';
import { HfTokenizer } from './hf-tokenizer';
import { Llama2cTokenizer } from './llama2c-tokenizer';
import { toHfTokenizerConfig, toHfTokenizerJson } from './to-hf';
import type { Tokenizer } from './tokenizer';
import { TINYSTORIES_VALID, TOK512, describeWithAssets, haveAssets } from '@carve/test-assets';


/** Each implementation, over the stories260K vocabulary. */
const IMPLEMENTATIONS: Record<string, () => Tokenizer> = {
  llama2c: () => Llama2cTokenizer.fromBytes(readFileSync(TOK512), 'tok512.bin', 512),
  hf: () => {
    const llama = IMPLEMENTATIONS.llama2c() as Llama2cTokenizer;
    return new HfTokenizer(JSON.parse(JSON.stringify(toHfTokenizerJson(llama))), toHfTokenizerConfig());
  },
};

/** Texts that stress spaces, newlines and characters outside the vocabulary. */
const AWKWARD = ['', ' ', '  two  spaces  ', '\n\nnewlines\n\n\n', 'tab\there', 'emoji 😀 and é', 'mojibake â€™ here', ' leading', 'trailing '];

describe('DecodeStream', () => {
  // Ids are code points; with `cleanUp`, decode rewrites " ." as transformers' clean-up does.
  const codePoints = (cleanUp: boolean): Tokenizer => ({
    vocabSize: 0x110000,
    bosId: undefined,
    eosId: undefined,
    encode: (text) => Array.from(text, (c) => c.codePointAt(0) as number),
    decode: (ids) => {
      const text = String.fromCodePoint(...ids);
      return cleanUp ? text.replaceAll(' .', '.') : text;
    },
  });

  test('returns the text each id adds', () => {
    const tok = codePoints(false);
    const stream = new DecodeStream(tok);
    expect(tok.encode('a .b').map((id) => stream.push(id))).toEqual(['a', ' ', '.', 'b']);
  });

  test('refuses a decode that rewrites text it already returned', () => {
    const tok = codePoints(true);
    const stream = new DecodeStream(tok);
    expect(tok.encode('a .').map((id) => stream.push(id))).toEqual(['a', ' ', '']);
    expect(() => stream.push(98)).toThrow(
      'DecodeStream: decoding more ids changed earlier text (" " became ".b"); the tokenizer\'s decode must not rewrite what it already produced',
    );
  });
});

for (const name of Object.keys(IMPLEMENTATIONS)) describeWithAssets(`Tokenizer contract: ${name}`, () => {
  const tok = haveAssets ? IMPLEMENTATIONS[name]() : (undefined as never);
  const paragraphs = haveAssets ? readFileSync(TINYSTORIES_VALID, 'utf8').split('\n\n').slice(0, 300) : [];

  test('round-trips awkward text and the first 300 paragraphs, with and without BOS/EOS', () => {
    for (const text of [...AWKWARD, ...paragraphs]) {
      expect(tok.decode(tok.encode(text))).toBe(text);
      expect(tok.decode(tok.encode(text, { bos: false, eos: true }))).toBe(text);
    }
  });

  test('puts BOS and EOS where asked', () => {
    const ids = tok.encode('Hi', { bos: true, eos: true });
    expect([ids[0], ids[ids.length - 1]]).toEqual([tok.bosId, tok.eosId]);
    expect(tok.encode('', { bos: false })).toEqual([]);
    expect(tok.decode([])).toBe('');
  });

  test('streams the same text as decode, holding back split characters', () => {
    for (const text of [...AWKWARD, ...paragraphs.slice(0, 20)]) {
      const stream = new DecodeStream(tok);
      const ids = tok.encode(text);
      const pieces = ids.map((id) => stream.push(id));
      expect(pieces.join('') + stream.flush()).toBe(text);
      expect(pieces.some((p) => p.includes('\uFFFD'))).toBe(false);
    }
  });

  test('flush gives an incomplete character at the end as U+FFFD', () => {
    const stream = new DecodeStream(tok);
    const ids = tok.encode('😀', { bos: false }); // " ", then byte tokens <0xF0> <0x9F> <0x98> <0x80>
    expect(ids).toHaveLength(5);
    expect(ids.map((id) => stream.push(id))).toEqual(['', '', '', '', '😀']);
    expect([stream.push(ids[1]), stream.flush()]).toEqual(['', '\uFFFD']);
  });
});
