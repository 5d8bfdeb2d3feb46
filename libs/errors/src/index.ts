/**
 * @module @carve/errors
 * The user's errors: UserError, which every library's input errors extend. It lives alone,
 * loading nothing else, so that code which must stay small (the cloud trigger's Lambda
 * bundle) can raise and recognise the same errors as the numerical libraries.
 */

const USER_ERROR = Symbol.for('carve.UserError');

/**
 * An error in what the user gave (a file, an option, a config), not in carve: its message
 * says where and what is wrong, and a command-line tool prints it as one line, without a
 * stack. `code` names the kind of problem; `issues` lists each one when several were found.
 */
export class UserError extends Error {
  /** A brand that survives copies of this package (a plugin built against its own copy). */
  readonly [USER_ERROR] = true;

  constructor(
    message: string,
    readonly code: string,
    readonly issues: readonly string[] = [message],
  ) {
    super(message);
  }
}

/**
 * Whether `e` is a UserError, including one made by another copy of this package (where
 * `instanceof` fails): what a command-line tool prints as one line.
 */
export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError || (typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[USER_ERROR] === true);
}
