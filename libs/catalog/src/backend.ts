/**
 * @module backend
 * The contract of a catalog backend (plugin kind 'catalog-backend'): a flat store of objects
 * under '/'-separated keys, the least that a folder and an S3 bucket both provide.
 */

/**
 * Where a catalog keeps its objects.
 *
 * Every write is all or nothing: a reader sees the previous object or the complete new one,
 * never part of one, and a failed write leaves no object behind. Keys are '/'-separated
 * relative paths (`runs/<id>/front.json`), checked by `checkKey`. Failures are CatalogErrors
 * whose message starts with `describe()`.
 */
export interface CatalogBackend {
  /** Stores the file at `localPath` under `key`, streaming it (it may be larger than memory). */
  putFile(key: string, localPath: string): Promise<void>;
  /** Stores `data` under `key`. */
  putBytes(key: string, data: Uint8Array): Promise<void>;
  /** The object under `key`, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Every key that starts with `prefix` (a plain string prefix, as in S3), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Whether an object is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /** Removes every object whose key starts with `prefix`. */
  remove(prefix: string): Promise<void>;
  /** The catalog's location for messages: `local folder /data/catalog`, `s3://bucket/prefix`. */
  describe(): string;
}

/** What `create` of a catalog-backend plugin receives. */
export interface CatalogBackendContext {
  /**
   * The environment that options left out default from (`CARVE_S3_BUCKET`, AWS credentials...).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
