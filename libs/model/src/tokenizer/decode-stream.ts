/**
 * @module decode-stream
 * Incremental decoding for generation: feed ids one at a time, get back the text each one
 * completes. Works with any {@link Tokenizer}, since it only calls `decode`.
 */
import type { Tokenizer } from './tokenizer';
import { TokenizerError } from './tokenizer-error';

/**
 * Turns a stream of ids into text. Decoding one id alone is wrong in two ways: a piece's
 * leading space is dropped when it comes first, and a character split over byte tokens is
 * not yet complete. So, as Hugging Face's `DecodeStream` does, this decodes a short window
 * that starts with already printed ids, returns what the new ids add to it, and holds text
 * back while it ends in an incomplete character (U+FFFD).
 */
export class DecodeStream {
  /** Ids since the start of the last emitted text, through the newest. */
  private window: number[] = [];
  /** How many leading ids of `window` were already emitted, and their text. */
  private emittedIds = 0;
  private emittedText = '';

  constructor(private readonly tokenizer: Tokenizer) {}

  /** Adds `id`; returns the text it completes, or '' while a character is incomplete. */
  push(id: number): string {
    this.window.push(id);
    const text = this.tokenizer.decode(this.window);
    if (text.length <= this.emittedText.length || text.endsWith('\uFFFD')) return '';
    if (!text.startsWith(this.emittedText)) {
      throw new TokenizerError(
        'bad-input',
        'DecodeStream',
        `decoding more ids changed earlier text (${JSON.stringify(this.emittedText)} became ` +
          `${JSON.stringify(text)}); the tokenizer's decode must not rewrite what it already produced`,
      );
    }
    const added = text.slice(this.emittedText.length);
    // Keep the ids just emitted as the next window's context.
    this.window = this.window.slice(this.emittedIds);
    this.emittedIds = this.window.length;
    this.emittedText = this.tokenizer.decode(this.window);
    return added;
  }

  /** Text held back at the end (an incomplete character decodes to U+FFFD); call once done. */
  flush(): string {
    const rest = this.tokenizer.decode(this.window).slice(this.emittedText.length);
    this.window = this.window.slice(this.emittedIds);
    this.emittedIds = this.window.length;
    this.emittedText = this.tokenizer.decode(this.window);
    return rest;
  }
}
