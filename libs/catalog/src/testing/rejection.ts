/**
 * @module testing/rejection
 * For the tests: the CatalogError a promise rejects with (any other outcome fails the test).
 */
import { CatalogError } from '../errors';

export async function rejection(promise: Promise<unknown>): Promise<CatalogError> {
  const e = await promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
  if (e instanceof CatalogError) return e;
  throw e;
}
