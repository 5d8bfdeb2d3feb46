/**
 * @module tokenizer-error
 * The error thrown for a tokenizer file or input that cannot be used. Its message names the
 * file and says what is wrong with the actual values, so a CLI can print it without a stack.
 */

import { UserError } from '@carve/engine';

/** What kind of problem a {@link TokenizerError} reports. */
export type TokenizerErrorCode =
  /** The file or folder does not exist, or the folder holds no tokenizer file. */
  | 'not-found'
  /** The file ends in the middle of its contents. */
  | 'truncated'
  /** The file is not in the format it was read as, or its contents are inconsistent. */
  | 'bad-format'
  /** The file is a tokenizer, but of a kind or with components this library cannot run. */
  | 'unsupported'
  /** A call asked for something the tokenizer lacks (an id out of range, a missing BOS). */
  | 'bad-input';

/** A tokenizer that cannot be loaded or used as asked; `message` is `<where>: <problem>`. */
export class TokenizerError extends UserError {
  override readonly name = 'TokenizerError';
  declare readonly code: TokenizerErrorCode;
  constructor(
    code: TokenizerErrorCode,
    /** The file, or for a call the tokenizer's source, that the problem is about. */
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`, code);
  }
}
