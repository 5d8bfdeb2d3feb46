import { readFileSync } from 'node:fs';
import { HfTokenizer } from './hf-tokenizer';
import { Llama2cTokenizer } from './llama2c-tokenizer';
import { toHfTokenizerConfig, toHfTokenizerJson } from './to-hf';
import { TINYSTORIES_VALID, TOK512, describeWithAssets, haveAssets } from '@carve/test-assets';


/** A tokenizer.json as a file would hold it: converted, then through JSON text. */
function shipped(tok: Llama2cTokenizer): unknown {
  return JSON.parse(JSON.stringify(toHfTokenizerJson(tok)));
}

describe('HfTokenizer settings', () => {
  // A minimal BPE: enough to check how BOS/EOS are found.
  const json = (postProcessor: unknown): unknown => ({
    added_tokens: [
      { id: 0, content: '<s>', special: true },
      { id: 1, content: '</s>', special: true },
    ],
    post_processor: postProcessor,
    decoder: { type: 'Fuse' },
    model: { type: 'BPE', vocab: { '<s>': 0, '</s>': 1, a: 2, b: 3, ab: 4 }, merges: [['a', 'b']] },
  });
  const template = (single: unknown[]): unknown => ({ type: 'TemplateProcessing', single, pair: [], special_tokens: {} });
  const bos = { SpecialToken: { id: '<s>', type_id: 0 } };
  const eos = { SpecialToken: { id: '</s>', type_id: 0 } };
  const text = { Sequence: { id: 'A', type_id: 0 } };

  test('takes BOS and EOS from the template around a single text', () => {
    const tok = new HfTokenizer(json(template([bos, text, eos])));
    expect([tok.bosId, tok.eosId, tok.addBos, tok.addEos, tok.vocabSize]).toEqual([0, 1, true, true, 5]);
    expect(tok.encode('abb')).toEqual([0, 4, 3, 1]);
    expect(tok.encode('abb', { bos: false, eos: false })).toEqual([4, 3]);
    expect(tok.decode([0, 4, 3, 1])).toBe('abb');
  });

  test('lets tokenizer_config.json name the tokens and switch them off', () => {
    const tok = new HfTokenizer(json(null), { bos_token: { content: '<s>' }, eos_token: '</s>', add_bos_token: false });
    expect([tok.bosId, tok.eosId, tok.addBos, tok.addEos]).toEqual([0, 1, false, false]);
    expect(tok.encode('ab', { bos: true, eos: true })).toEqual([0, 4, 1]);
  });

  test('reports a BOS asked of a tokenizer without one', () => {
    const tok = new HfTokenizer(json(null), {}, 'gpt.json');
    expect(tok.bosId).toBeUndefined();
    expect(() => tok.encode('a', { bos: true })).toThrow('gpt.json: BOS requested, but the tokenizer defines no BOS token');
  });

  test('reports what the library cannot run', () => {
    const bad = { ...(json(null) as object), normalizer: { type: 'Frobnicate' } };
    expect(() => new HfTokenizer(bad, {}, 'x/tokenizer.json')).toThrow(
      'x/tokenizer.json: @huggingface/tokenizers cannot load it: Unknown Normalizer type: Frobnicate',
    );
  });
});

describeWithAssets('toHfTokenizerJson(tok512.bin) run by @huggingface/tokenizers', () => {
  const path = TOK512;
  const llama = haveAssets ? Llama2cTokenizer.fromBytes(readFileSync(path), path, 512) : (undefined as never);
  const hf = haveAssets ? new HfTokenizer(shipped(llama), toHfTokenizerConfig()) : (undefined as never);
  const valid = haveAssets ? readFileSync(TINYSTORIES_VALID, 'utf8') : '';
  // About 200 stories, and every paragraph with mojibake (none of those come that early).
  const paragraphs = valid.split('\n\n');
  const sample = [...paragraphs.slice(0, 600), ...paragraphs.slice(600).filter((p) => /[\u0080-\uffff]/.test(p))];

  test('has the same size and special tokens, and adds BOS but not EOS by default', () => {
    expect([hf.vocabSize, hf.bosId, hf.eosId, hf.addBos, hf.addEos]).toEqual([512, 1, 2, true, false]);
  });

  test('gives the same ids as llama2.c on the first 600 paragraphs and all non-ASCII ones', () => {
    expect(sample.length).toBeGreaterThan(620);
    for (const text of sample) {
      expect(hf.encode(text, { bos: true })).toEqual(llama.encode(text, { bos: true }));
    }
  });

  test('gives the same ids as llama2.c on random strings of pieces', () => {
    // Stresses merge order: every piece, any neighbour. Seeded, so the same strings each run.
    const pieces = llama.pieces.slice(259).map((p) => Buffer.from(p).toString());
    let state = 7;
    const next = (n: number): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    for (let k = 0; k < 3000; k++) {
      const text = Array.from({ length: 1 + next(8) }, () => pieces[next(pieces.length)]).join('');
      expect(hf.encode(text)).toEqual(llama.encode(text));
    }
  });

  test('decodes to the same text as llama2.c, first space dropped, mojibake intact', () => {
    for (const text of sample) {
      expect(hf.decode(llama.encode(text))).toBe(text);
    }
  });

  test('differs from llama2.c where Hugging Face Llama tokenizers do: literal special tokens and "▁"', () => {
    // The library matches added tokens in the text before anything else, as transformers does.
    expect(hf.encode('<s>', { bos: false })).toEqual([1]);
    expect(llama.decode(llama.encode('<s>', { bos: false }))).toBe('<s>');
    // The normalizer turns spaces into "▁", so a "▁" in the text reads as a space.
    expect(hf.decode(hf.encode('a▁b'))).toBe('a b');
    expect(llama.decode(llama.encode('a▁b'))).toBe('a▁b');
  });
});
