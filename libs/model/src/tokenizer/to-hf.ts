/**
 * @module to-hf
 * Converts a llama2.c vocabulary to the Hugging Face files a Llama model ships:
 * `tokenizer.json` in the layout of Llama 2's (the "legacy" one: a normalizer puts `▁` in
 * front of the text and in place of every space, and a byte-fallback BPE model does the
 * rest) and the `tokenizer_config.json` beside it.
 */
import type { Llama2cTokenizer } from './llama2c-tokenizer';

/** Piece text of the three control tokens, as SentencePiece and Llama name them. */
const CONTROL = ['<unk>', '<s>', '</s>'];
const FIRST_PIECE_ID = 3 + 256;

/** The parts of a Hugging Face `tokenizer.json` that {@link toHfTokenizerJson} writes. */
export interface HfTokenizerJson {
  readonly version: string;
  readonly added_tokens: readonly object[];
  readonly normalizer: object;
  readonly pre_tokenizer: null;
  readonly post_processor: object;
  readonly decoder: object;
  readonly model: {
    readonly type: 'BPE';
    readonly vocab: Readonly<Record<string, number>>;
    readonly merges: readonly (readonly [string, string])[];
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/**
 * The `tokenizer.json` that encodes like `tokenizer`. The merges are every split of every
 * piece into two pieces, ranked by the merged piece's score (higher first) and then by the
 * ids of the halves, as Hugging Face's own SentencePiece converter ranks them.
 *
 * A rank per pair cannot say "leftmost first" between two different pairs that tie, which
 * llama2.c does. With distinct scores (SentencePiece gives every piece its own) that only
 * matters for a piece like "aaa" that is both "a"+"aa" and "aa"+"a"; tok512 has none.
 */
export function toHfTokenizerJson(tokenizer: Llama2cTokenizer): HfTokenizerJson {
  const names = tokenizer.pieces.map((bytes, id) => pieceName(bytes, id));
  // No prototype, so a piece spelled like an Object property ("constructor") is a plain key.
  const vocab: Record<string, number> = Object.create(null);
  names.forEach((name, id) => {
    if (!(name in vocab)) vocab[name] = id;
  });

  const merges: { left: string; right: string; score: number; leftId: number; rightId: number }[] = [];
  for (let id = FIRST_PIECE_ID; id < names.length; id++) {
    const chars = Array.from(names[id]);
    for (let cut = 1; cut < chars.length; cut++) {
      const left = chars.slice(0, cut).join('');
      const right = chars.slice(cut).join('');
      const leftId = vocab[left];
      const rightId = vocab[right];
      // Byte and control tokens never merge, in llama2.c or in SentencePiece.
      if (leftId >= FIRST_PIECE_ID && rightId >= FIRST_PIECE_ID) {
        merges.push({ left, right, score: tokenizer.scores[id], leftId, rightId });
      }
    }
  }
  merges.sort((a, b) => b.score - a.score || a.leftId - b.leftId || a.rightId - b.rightId);

  const bos = { id: '<s>', type_id: 0 };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: CONTROL.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: bos }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: bos },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [tokenizer.bosId], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: merges.map((m) => [m.left, m.right] as const),
    },
  };
}

/**
 * The `tokenizer_config.json` that goes with {@link toHfTokenizerJson}: Llama's special
 * tokens, BOS added and EOS not (as llama2.c encodes), and no clean-up of spaces on decode
 * (it would turn "a ." into "a.", so decoding would lose text).
 */
export function toHfTokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'LlamaTokenizer',
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    pad_token: null,
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    legacy: true,
  };
}

/** A piece as Hugging Face spells it: control names, byte tokens as they are, `▁` for space. */
export function pieceName(bytes: Uint8Array, id: number): string {
  if (id < CONTROL.length) return CONTROL[id];
  return Buffer.from(bytes).toString('utf8').replaceAll(' ', '▁');
}
