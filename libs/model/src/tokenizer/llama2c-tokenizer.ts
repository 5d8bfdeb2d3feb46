/**
 * @module llama2c-tokenizer
 * The tokenizer of Karpathy's llama2.c: a SentencePiece BPE vocabulary exported to
 * `tokenizer.bin`, encoded and decoded the way llama2.c's `run.c` does.
 *
 * File layout (little-endian): int32 `max_token_length`, then for each token a float32
 * score, an int32 byte length and the piece's bytes. The token count is not stored; llama2.c
 * takes it from the checkpoint. Ids 0, 1, 2 are `<unk>`, BOS and EOS, ids 3..258 are the
 * byte-fallback tokens `<0x00>`..`<0xFF>`, and the remaining pieces have SentencePiece's
 * `▁` already turned into a space.
 */
import { mergePairs } from './bpe-merge';
import type { EncodeOptions, Tokenizer } from './tokenizer';
import { TokenizerError } from './tokenizer-error';

/** The vocabulary a llama2.c `tokenizer.bin` holds. */
export interface Llama2cVocab {
  /** Bytes of each piece, indexed by id. */
  readonly pieces: readonly Uint8Array[];
  /** Merge score of each piece, indexed by id; higher merges first. */
  readonly scores: ArrayLike<number>;
}

const BOS_ID = 1;
const EOS_ID = 2;
/** Byte b is token b + BYTE_BASE; run.c hard-codes this layout. */
const BYTE_BASE = 3;
const FIRST_PIECE_ID = BYTE_BASE + 256;
const SPACE = 0x20;
/** Generous: real vocabularies stay under a few hundred bytes a piece. */
const MAX_TOKEN_LENGTH = 4096;

/** A llama2.c tokenizer; build it with {@link Llama2cTokenizer.fromBytes} or `loadTokenizer`. */
export class Llama2cTokenizer implements Tokenizer {
  readonly bosId: number = BOS_ID;
  readonly eosId: number = EOS_ID;
  readonly vocabSize: number;
  /** Bytes of each piece as the file holds them, indexed by id. */
  readonly pieces: readonly Uint8Array[];
  /** Merge score of each piece, indexed by id. */
  readonly scores: Float32Array;
  /** Where the vocabulary came from (its path), for error messages. */
  readonly source: string;
  /** Text of each ordinary piece (id >= 259); control and byte tokens never merge. */
  private readonly pieceText: (string | undefined)[];
  private readonly idOfPiece = new Map<string, number>();
  private readonly spaceId: number;
  /** Merged id of each pair seen so far, -1 for none. */
  private readonly pairCache = new Map<number, number>();

  /** Checks the llama2.c id layout; `source` names the vocabulary in errors. */
  constructor(vocab: Llama2cVocab, source = 'llama2.c vocabulary') {
    const { pieces } = vocab;
    this.source = source;
    if (pieces.length < FIRST_PIECE_ID) {
      throw new TokenizerError(
        'bad-format',
        source,
        `only ${pieces.length} tokens; a llama2.c vocabulary starts with 3 control tokens and 256 byte tokens`,
      );
    }
    if (vocab.scores.length !== pieces.length) {
      throw new TokenizerError('bad-format', source, `${pieces.length} pieces but ${vocab.scores.length} scores`);
    }
    const latin1 = new TextDecoder('latin1');
    for (let b = 0; b < 256; b++) {
      const expected = `<0x${hex(b)}>`;
      const found = latin1.decode(pieces[b + BYTE_BASE]);
      if (found !== expected) {
        throw new TokenizerError(
          'bad-format',
          source,
          `token ${b + BYTE_BASE} is ${JSON.stringify(found)} where ${expected} was expected ` +
            `(llama2.c puts the byte tokens <0x00>..<0xFF> at ids 3..258)`,
        );
      }
    }
    this.pieces = pieces;
    this.scores = Float32Array.from(vocab.scores);
    this.vocabSize = pieces.length;
    // A piece that is not valid UTF-8 could never be spelled by whole characters of the
    // input, so leaving it out of the lookup changes nothing; it still decodes to its bytes.
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    this.pieceText = pieces.map((bytes, id) => {
      if (id < FIRST_PIECE_ID) return undefined;
      try {
        return utf8.decode(bytes);
      } catch {
        return undefined;
      }
    });
    this.pieceText.forEach((text, id) => {
      if (text !== undefined && !this.idOfPiece.has(text)) this.idOfPiece.set(text, id);
    });
    const spaceId = this.idOfPiece.get(' ');
    if (spaceId === undefined) {
      throw new TokenizerError('bad-format', source, 'no " " piece, which llama2.c encodes the leading dummy space with');
    }
    this.spaceId = spaceId;
  }

  /**
   * Reads a `tokenizer.bin`. With `vocabSize` (llama2.c takes it from the checkpoint) the file
   * must hold exactly that many tokens; without it, tokens are read to the end of the file.
   */
  static fromBytes(bytes: Uint8Array, path: string, vocabSize?: number): Llama2cTokenizer {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = `file is ${bytes.byteLength} bytes`;
    const of = vocabSize === undefined ? '' : ` of ${vocabSize}`;
    if (bytes.byteLength < 4) {
      throw new TokenizerError('truncated', path, `truncated in the 4-byte header (${size})`);
    }
    const maxTokenLength = view.getInt32(0, true);
    if (maxTokenLength < 1 || maxTokenLength > MAX_TOKEN_LENGTH) {
      throw new TokenizerError(
        'bad-format',
        path,
        `not a llama2.c tokenizer: max_token_length is ${maxTokenLength}, expected 1 to ${MAX_TOKEN_LENGTH}`,
      );
    }
    const pieces: Uint8Array[] = [];
    const scores: number[] = [];
    let offset = 4;
    while (vocabSize === undefined ? offset < bytes.byteLength : pieces.length < vocabSize) {
      const id = pieces.length;
      if (offset + 8 > bytes.byteLength) {
        throw new TokenizerError('truncated', path, `truncated at token ${id}${of} (${size})`);
      }
      const score = view.getFloat32(offset, true);
      const length = view.getInt32(offset + 4, true);
      if (length < 0 || length > maxTokenLength) {
        throw new TokenizerError(
          'bad-format',
          path,
          `not a llama2.c tokenizer: token ${id} has length ${length}, outside 0..${maxTokenLength} (max_token_length)`,
        );
      }
      if (!Number.isFinite(score)) {
        throw new TokenizerError('bad-format', path, `not a llama2.c tokenizer: token ${id} has score ${score}`);
      }
      if (offset + 8 + length > bytes.byteLength) {
        throw new TokenizerError('truncated', path, `truncated at token ${id}${of} (${size})`);
      }
      scores.push(score);
      pieces.push(bytes.slice(offset + 8, offset + 8 + length));
      offset += 8 + length;
    }
    if (offset < bytes.byteLength) {
      throw new TokenizerError(
        'bad-format',
        path,
        `holds more than ${vocabSize} tokens (${bytes.byteLength - offset} bytes follow token ${pieces.length - 1})`,
      );
    }
    return new Llama2cTokenizer({ pieces, scores }, path);
  }

  /** Encodes as llama2.c's `encode`; see {@link Tokenizer.encode}. BOS is added unless `bos: false`. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if (options.bos ?? true) out.push(BOS_ID);
    // Byte tokens never merge, so they split the text into runs that merge independently:
    // the same result as merging the whole text, with much smaller heaps (a newline is a
    // byte token in TinyStories vocabularies, so a run is at most a paragraph).
    let run: number[] = [];
    const flush = (): void => {
      for (const id of mergePairs(run, (left, right) => this.pairId(left, right), this.scores)) out.push(id);
      run = [];
    };
    // SentencePiece's add_dummy_prefix: a space before non-empty text, so the first word
    // gets the same pieces as a word inside the text.
    if (text.length > 0) run.push(this.spaceId);
    for (const char of text) {
      const id = this.idOfPiece.get(char);
      if (id !== undefined) {
        run.push(id);
        continue;
      }
      flush();
      for (const byte of Buffer.from(char, 'utf8')) out.push(byte + BYTE_BASE);
    }
    flush();
    if (options.eos ?? false) out.push(EOS_ID);
    return out;
  }

  /** See {@link Tokenizer.decode}; as in run.c, a leading space is dropped after each BOS too. */
  decode(ids: readonly number[]): string {
    const chunks: Uint8Array[] = [];
    let first = true;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TokenizerError('bad-input', this.source, `token id ${id} is out of range 0..${this.vocabSize - 1}`);
      }
      if (id < BYTE_BASE) {
        // Only BOS starts a new document whose text was encoded with a dummy space.
        if (id === BOS_ID) first = true;
        continue;
      }
      let bytes = id < FIRST_PIECE_ID ? Uint8Array.of(id - BYTE_BASE) : this.pieces[id];
      if (first && id >= FIRST_PIECE_ID && bytes[0] === SPACE) bytes = bytes.subarray(1);
      first = false;
      chunks.push(bytes);
    }
    // Decode once at the end: a character split over byte tokens survives.
    return Buffer.concat(chunks).toString('utf8');
  }

  private pairId(left: number, right: number): number | undefined {
    // Cached by pair: the same few thousand pairs recur all through a text.
    const key = left * this.vocabSize + right;
    let id = this.pairCache.get(key);
    if (id === undefined) {
      const a = this.pieceText[left];
      const b = this.pieceText[right];
      id = (a === undefined || b === undefined ? undefined : this.idOfPiece.get(a + b)) ?? -1;
      this.pairCache.set(key, id);
    }
    return id < 0 ? undefined : id;
  }
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}
