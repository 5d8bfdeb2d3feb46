/**
 * @module errors
 * Which errors are the user's (bad arguments, missing or malformed files: one line, exit
 * code 2) and which are ours (a stack trace, exit code 1). Every library reports the
 * user's mistakes with a subclass of the engine's UserError.
 */
import { isUserError, UserError } from '@carve/engine';

/** A bad argument or option value, found by a command. */
export class CliError extends UserError {
  override readonly name = 'CliError';
  constructor(message: string) {
    super(message, 'invalid_argument');
  }
}

export { isUserError };

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
