/**
 * @module errors
 * The catalog's errors. Everything that goes wrong in the catalog comes from what the user
 * gave or from the user's environment (a folder, a bucket, an endpoint, a run id), so it is
 * a UserError: the CLI prints it as one line, which names the catalog and says what to do.
 */
import { UserError } from '@carve/engine';

/** What went wrong, for callers that branch on it; the message says it for people. */
export type CatalogErrorCode =
  /** The backend's options or environment variables are missing or malformed. */
  | 'invalid_catalog_config'
  /** A storage operation failed: unreachable endpoint, access denied, missing source file... */
  | 'catalog_io'
  /** A run id or an object key that is not allowed. */
  | 'invalid_name'
  /** No run with that id (or no such file in a run). */
  | 'unknown_run'
  /** A manifest or front file that is not valid JSON or does not match its schema. */
  | 'invalid_run_file'
  /** `runCatalogBackendContract`: a backend does not behave as the contract requires. */
  | 'backend_contract_failed';

/** A catalog problem; the message starts with the catalog it is about. */
export class CatalogError extends UserError {
  override readonly name = 'CatalogError';
  declare readonly code: CatalogErrorCode;
  constructor(message: string, code: CatalogErrorCode, issues: readonly string[] = [message], cause?: unknown) {
    super(message, code, issues);
    if (cause !== undefined) this.cause = cause;
  }
}
