/**
 * @module errors
 * Errors raised while building a graph: they name the node, the operator and the
 * shapes involved, so a user can find the line of model code that made it.
 */

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
