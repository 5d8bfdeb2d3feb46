/**
 * @module errors
 * Errors raised while building a graph, which name the node, the operator and the shapes.
 * The user's errors (UserError) live in @carve/errors and are re-exported by this package.
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
