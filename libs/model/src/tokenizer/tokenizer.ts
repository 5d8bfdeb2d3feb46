/**
 * @module tokenizer
 * The contract every tokenizer meets: text to ids and back, plus the ids of the tokens that
 * open and close a document. Generation prints text as it goes with {@link DecodeStream},
 * which needs nothing beyond `decode`.
 */

/** Options for {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /**
   * Prepend the BOS token.
   * @default the tokenizer's own setting (llama2.c: yes; Hugging Face: `add_bos_token`)
   */
  readonly bos?: boolean;
  /**
   * Append the EOS token.
   * @default the tokenizer's own setting (llama2.c: no; Hugging Face: `add_eos_token`)
   */
  readonly eos?: boolean;
}

/** A text tokenizer: {@link Llama2cTokenizer} and {@link HfTokenizer} implement it. */
export interface Tokenizer {
  /** Number of ids, that is one more than the largest id. */
  readonly vocabSize: number;
  /** Id of the token that opens a document, if the vocabulary has one. */
  readonly bosId: number | undefined;
  /** Id of the token that closes a document, if the vocabulary has one. */
  readonly eosId: number | undefined;
  /** Token ids of `text`; the empty string gives no ids besides the requested BOS/EOS. */
  encode(text: string, options?: EncodeOptions): number[];
  /**
   * Text of `ids`. Control tokens (BOS, EOS, unknown) give no text, the space that encoding
   * put before the first word is dropped, and byte tokens are joined into UTF-8 characters,
   * so `decode(encode(text))` is `text`. An incomplete UTF-8 sequence at the end decodes to
   * U+FFFD, which {@link DecodeStream} relies on. Throws a `TokenizerError` for an id out of range.
   */
  decode(ids: readonly number[]): string;
}
