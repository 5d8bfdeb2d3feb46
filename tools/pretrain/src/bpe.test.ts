import { Llama2cTokenizer } from '@carve/model';
import { trainBpe } from './bpe';

const text = 'the cat sat on the mat. the cat ate the rat. '.repeat(40) + 'Über naïve café — 100%';

describe('trainBpe', () => {
  const vocab = trainBpe([text], 289, 2);
  const tokenizer = new Llama2cTokenizer(vocab, 'test');

  test('lays the vocabulary out as llama2.c does and fills it to the asked size', () => {
    expect(vocab.pieces).toHaveLength(289);
    expect(new TextDecoder().decode(vocab.pieces[1])).toBe('\n<s>\n');
    expect(new TextDecoder().decode(vocab.pieces[3 + 0x41])).toBe('<0x41>');
    expect(new Set(vocab.pieces.map((p) => new TextDecoder().decode(p))).size).toBe(289);
    // A corpus this small runs out of pairs that occur twice long before 1000 tokens: it stops there.
    expect(trainBpe([text], 1000, 2).pieces.length).toBeLessThan(1000);
  });

  test('round-trips text, rare characters through byte fallback, and merges frequent words into few tokens', () => {
    for (const s of [text, 'a sat cat', 'Zebra ünïcode ✓']) expect(tokenizer.decode(tokenizer.encode(s, { bos: true }))).toBe(s);
    // At most one token per word and the period: frequent words became single pieces.
    expect(tokenizer.encode('the cat sat on the mat.', { bos: false }).length).toBeLessThanOrEqual(7);
  });

  test('is deterministic', () => {
    expect(trainBpe([text], 289, 2)).toEqual(vocab);
  });
});
