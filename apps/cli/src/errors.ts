/**
 * @module errors
 * Which errors are the user's (bad arguments, missing or malformed files: one line, exit
 * code 2) and which are ours (a stack trace, exit code 1).
 */
import { ConfigError, CheckpointError, SubNetworkError, TokenizerError } from '@carve/model';

/** A bad argument or option value, found by a command. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const USER_ERRORS = [CliError, CheckpointError, TokenizerError, ConfigError, SubNetworkError];

export function isUserError(e: unknown): e is Error {
  return USER_ERRORS.some((type) => e instanceof type);
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
