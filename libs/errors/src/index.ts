/**
 * @module @carve/errors
 * The user's errors: UserError, which every library's input errors extend, and two helpers
 * that keep their messages one line (oneLine, preview). It lives alone,
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

const LINE_BREAKS: Readonly<Record<string, string>> = { '\r': '\\r', '\n': '\\n', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * `text` on one line, its line breaks written as the escapes `\n`, `\r`: for the parts of a
 * message that quote the user's input (a JSON parser's message quotes the text around the
 * error; a key may hold a line break), so the message a CLI prints stays one line.
 */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, (c) => LINE_BREAKS[c]);
}

/**
 * A value of the user's as JSON for a message: one line, at most `max` characters. A value
 * JSON.stringify cannot write (nested deeper than the stack, cyclic) is described instead,
 * so building the message of an error never throws another one.
 */
export function preview(value: unknown, max = 200): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[…] (an array nested too deep to show)' : `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`} nested too deep to show`;
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
