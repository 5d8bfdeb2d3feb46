import { readFileSync } from 'node:fs';
import { Llama2cTokenizer } from './llama2c-tokenizer';
import { TINYSTORIES_VALID, TOK512, describeWithAssets, haveAssets } from '@carve/test-assets';


/** A llama2.c vocabulary: control and byte tokens, then `pieces` with their scores. */
function vocab(pieces: Record<string, number>): Llama2cTokenizer {
  const head = ['<unk>', '\n<s>\n', '\n</s>\n', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)];
  const all = [...head.map((p) => [p, 0] as const), ...Object.entries(pieces)];
  return new Llama2cTokenizer({ pieces: all.map(([p]) => Buffer.from(p, 'utf8')), scores: all.map(([, s]) => s) });
}

/**
 * llama2.c's `encode` as run.c writes it: byte strings, a lookup over every piece, BOS in
 * the merge loop, and a full rescan for every merge. Quadratic, so only for short texts.
 */
function referenceEncode(tok: Llama2cTokenizer, text: string): number[] {
  const pieces = tok.pieces.map((p) => Buffer.from(p).toString('latin1'));
  const lookup = new Map<string, number>();
  pieces.forEach((p, id) => lookup.set(p, lookup.get(p) ?? id));
  const ids = [1];
  if (text !== '') ids.push(lookup.get(' ') as number);
  for (const char of text) {
    const id = lookup.get(Buffer.from(char).toString('latin1'));
    if (id !== undefined) ids.push(id);
    else for (const byte of Buffer.from(char)) ids.push(byte + 3);
  }
  while (true) {
    let best = { score: -1e10, id: -1, at: -1 };
    for (let i = 0; i + 1 < ids.length; i++) {
      const id = lookup.get(pieces[ids[i]] + pieces[ids[i + 1]]);
      if (id !== undefined && tok.scores[id] > best.score) best = { score: tok.scores[id], id, at: i };
    }
    if (best.at < 0) return ids;
    ids.splice(best.at, 2, best.id);
  }
}

/** Seeded random strings over `alphabet`. */
function randomTexts(alphabet: string[], count: number, maxLength: number, seed = 1): string[] {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: next(maxLength + 1) }, () => alphabet[next(alphabet.length)]).join(''));
}

describe('Llama2cTokenizer on a hand-made vocabulary', () => {
  // Tied scores and periodic pieces ("aa", "aaa") make the order of merges matter.
  const tok = vocab({ ' ': -9, a: -9, b: -9, c: -9, aa: -1, aaa: -1, ' a': -2, ab: -2, bc: -3, abc: -0.5, ' b': -4 });
  const id = (piece: string): number => tok.pieces.findIndex((p) => Buffer.from(p).toString() === piece);

  test('merges the best-scoring pair first, the leftmost one on a tie', () => {
    // " a" (-2) and "ab" (-2) tie, so the leftmost wins, though "abc" (-0.5) was reachable.
    expect(tok.encode('abc', { bos: false })).toEqual([id(' a'), id('bc')]);
    expect(tok.encode('aaaa', { bos: false })).toEqual([id(' '), id('aaa'), id('a')]);
  });

  test('adds BOS unless told not to, EOS only when asked, and nothing but those for empty text', () => {
    expect(tok.encode('')).toEqual([1]);
    expect(tok.encode('', { bos: false, eos: true })).toEqual([2]);
    expect(tok.encode('b', { eos: true })).toEqual([1, id(' b'), 2]);
  });

  test('falls back to UTF-8 byte tokens (byte b is id b + 3) and decodes them back', () => {
    const ids = tok.encode('a€\n', { bos: false });
    expect(ids).toEqual([id(' a'), 0xe2 + 3, 0x82 + 3, 0xac + 3, 0x0a + 3]);
    expect(tok.decode(ids)).toBe('a€\n');
  });

  test('decode drops the leading space of the first piece and of the first after each BOS', () => {
    expect(tok.decode([1, id(' a'), id(' b'), 2, 1, id(' b')])).toBe('a bb');
    expect(tok.decode([id(' '), 1, id(' '), id(' a')])).toBe(' a');
  });

  test('decode rejects an id outside the vocabulary, naming it', () => {
    expect(() => tok.decode([1, 270])).toThrow('llama2.c vocabulary: token id 270 is out of range 0..269');
  });

  test('matches the reference port of run.c on random text', () => {
    for (const text of randomTexts([' ', 'a', 'b', 'c', 'é', '\n'], 500, 24)) {
      expect(tok.encode(text)).toEqual(referenceEncode(tok, text));
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  test('rejects vocabularies without the llama2.c layout', () => {
    const pieces = [...tok.pieces];
    pieces[10] = Buffer.from('x');
    expect(() => new Llama2cTokenizer({ pieces, scores: tok.scores })).toThrow(
      'llama2.c vocabulary: token 10 is "x" where <0x07> was expected (llama2.c puts the byte tokens <0x00>..<0xFF> at ids 3..258)',
    );
    expect(() => vocab({ a: 0 }).encode('a')).toThrow('no " " piece');
  });
});

describeWithAssets('Llama2cTokenizer on stories260K (tok512.bin)', () => {
  const path = TOK512;
  const tok = haveAssets ? Llama2cTokenizer.fromBytes(readFileSync(path), path, 512) : (undefined as never);
  const valid = haveAssets ? readFileSync(TINYSTORIES_VALID, 'utf8') : '';
  const paragraphs = valid.split('\n\n');
  // The first 60 ids stories260K generates greedily from BOS (assets README).
  const generated = [
    403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265,
    282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312,
    286, 267, 414, 270, 333, 415,
  ];
  // The README's text up to where the 60th token ends (the next token is the ".").
  const prefix =
    'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ' +
    'One day, she saw a big, red ball. She wanted to play with it, but it was too high';

  test('reads 512 tokens with the documented layout', () => {
    expect(tok.vocabSize).toBe(512);
    expect(Buffer.from(tok.pieces[1]).toString()).toBe('\n<s>\n');
    expect(Buffer.from(tok.pieces[265]).toString()).toBe(' the');
  });

  test('decodes the greedy generation oracle to the documented text, and encodes it back', () => {
    expect(prefix).toHaveLength(174);
    expect(tok.decode([1, ...generated])).toBe(prefix);
    expect(tok.encode(prefix)).toEqual([1, ...generated]);
  });

  test('round-trips every paragraph of the validation head, and the whole file at once', () => {
    for (const text of paragraphs) expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.decode(tok.encode(valid))).toBe(valid);
  });

  test('matches the reference port of run.c on the first 300 paragraphs', () => {
    for (const text of paragraphs.slice(0, 300)) expect(tok.encode(text)).toEqual(referenceEncode(tok, text));
  });

  test('matches the reference port of run.c across paragraphs (byte tokens split the merging)', () => {
    const text = paragraphs.slice(0, 20).join('\n\n');
    expect(tok.encode(text)).toEqual(referenceEncode(tok, text));
  });
});
