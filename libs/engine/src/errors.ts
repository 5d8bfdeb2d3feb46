/**
 * @module errors
 * Errors raised while building a graph: they name the node, the operator and the
 * shapes involved, so a user can find the line of model code that made it.
 */

/**
 * An error in what the user gave (a file, an option, a config), not in carve: its message
 * says where and what is wrong, and a command-line tool prints it as one line, without a
 * stack. `code` names the kind of problem; `issues` lists each one when several were found.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly issues: readonly string[] = [message],
  ) {
    super(message);
  }
}

export class GraphBuildError extends Error {
  override readonly name = 'GraphBuildError';
  constructor(
    message: string,
    readonly node?: string,
    readonly op?: string,
  ) {
    super(message);
  }
}
