/**
 * @module s3-backend
 * The catalog in an S3 bucket (or an S3-compatible server), under an optional key prefix.
 * S3 makes an object visible only once it is complete, multi-part uploads included, so
 * writes are all or nothing here without temporary objects. Transient failures are retried
 * with backoff, within bounds (see s3-retry); then the error is one line naming the key.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CatalogBackend } from './backend';
import { CatalogError } from './errors';
import { checkKey, checkPrefix } from './keys';
import { describeS3Failure, isNotFound } from './s3-errors';
import { boundedRetryStrategy, BodyReadFailure, DEFAULT_S3_RETRY, RetriesSpent, S3Backoff, S3RetryOptions, withBodyRetries } from './s3-retry';

/** Where and how to reach the bucket; the s3 plugin resolves these from options and environment. */
export interface S3Settings {
  readonly bucket: string;
  /** Prepended to every key, without leading or trailing '/'; '' for none. */
  readonly prefix: string;
  readonly region: string;
  /** An S3-compatible server's URL; absent for AWS itself. */
  readonly endpoint?: string;
  /** Address the bucket in the path (`host/bucket/key`), as most S3-compatible servers need. */
  readonly forcePathStyle: boolean;
  /** Tries per request, the first included, before a failure is reported. */
  readonly maxAttempts: number;
  /** The waits between tries and their bound in time; what is left out is DEFAULT_S3_RETRY's. */
  readonly backoff?: Partial<S3Backoff>;
  /** Absent: the SDK's default chain (environment, profile, instance role). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Connecting gives up after this long, so an unreachable endpoint fails in bounded time. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A connection that stays silent this long is dropped (and the request retried): a slow answer is not a failure. */
const IDLE_TIMEOUT_MS = 60_000;
/** Parts of a multi-part upload: S3's minimum part size, four in flight. */
const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

/** A catalog backend over an S3 bucket. */
export class S3Backend implements CatalogBackend {
  private readonly client: S3Client;
  private readonly retry: S3RetryOptions;

  constructor(readonly settings: S3Settings) {
    const given = Object.entries(settings.backoff ?? {}).filter(([, value]) => value !== undefined);
    this.retry = { ...DEFAULT_S3_RETRY, ...Object.fromEntries(given), maxAttempts: settings.maxAttempts };
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      maxAttempts: settings.maxAttempts,
      // The SDK's retry loop with our schedule: bounded in time too, and the same for every request.
      retryStrategy: boundedRetryStrategy(this.retry),
      // S3-compatible servers reject or mis-store the CRC checksums the SDK adds by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: IDLE_TIMEOUT_MS },
    });
  }

  describe(): string {
    const { bucket, prefix, endpoint } = this.settings;
    return `s3://${bucket}/${prefix}${endpoint ? ` at ${endpoint}` : ''}`;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const objectKey = this.objectKey(key);
    const file = await stat(localPath).catch(() => undefined);
    if (!file?.isFile()) throw this.error(`cannot store ${key}: ${localPath} is not a file (${file ? 'a folder or device' : 'it does not exist'})`);
    await this.call(`upload ${key}`, () =>
      new Upload({
        client: this.client,
        params: { Bucket: this.settings.bucket, Key: objectKey, Body: createReadStream(localPath), ContentLength: file.size },
        partSize: PART_SIZE,
        queueSize: PARTS_IN_FLIGHT,
      }).done(),
    );
  }

  async putBytes(key: string, data: Uint8Array): Promise<void> {
    const Key = this.objectKey(key);
    await this.call(`write ${key}`, () => this.client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key, Body: data })));
  }

  async get(key: string): Promise<Buffer | undefined> {
    const Key = this.objectKey(key);
    return this.call(`read ${key}`, () =>
      // The SDK retries the request until its response begins; a body that breaks off after that is retried here.
      withBodyRetries(this.retry, async () => {
        let object;
        try {
          object = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key }));
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
        try {
          return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : Buffer.alloc(0);
        } catch (e) {
          throw new BodyReadFailure(e);
        }
      }),
    );
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    return this.call(`look up ${key}`, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key })).then(
        () => true,
        (e: unknown) => {
          if (isNotFound(e)) return false;
          throw e;
        },
      ),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const Prefix = this.settings.prefix === '' ? checkPrefix(prefix) : `${this.settings.prefix}/${checkPrefix(prefix)}`;
    const strip = Prefix.length - prefix.length;
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.call(`list ${prefix === '' ? 'everything' : prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix, ContinuationToken })),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key.slice(strip));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys.sort();
  }

  async remove(prefix: string): Promise<void> {
    const keys = await this.list(prefix);
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await this.call(`remove ${prefix}`, () =>
        this.client.send(
          new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: batch.map((key) => ({ Key: this.objectKey(key) })), Quiet: true } }),
        ),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        const issues = failed.map((f) => `${f.Key}: ${f.Code ?? 'error'} ${f.Message ?? ''}`.trim());
        throw new CatalogError(`catalog ${this.describe()}: cannot remove ${failed.length} objects: ${issues.join('; ')}`, 'catalog_io', issues);
      }
    }
  }

  /** The bucket's key for a catalog key. */
  private objectKey(key: string): string {
    return this.settings.prefix === '' ? checkKey(key) : `${this.settings.prefix}/${checkKey(key)}`;
  }

  /**
   * Runs one SDK call (retried as s3-retry says), reporting its last failure as a one-line
   * CatalogError that names the catalog, the operation and its key, the cause and the tries.
   */
  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      const [cause, attempts] = e instanceof RetriesSpent ? [e.error, e.attempts] : [e, this.retry.maxAttempts];
      throw this.error(`${operation}: ${describeS3Failure(cause, this.settings.bucket, attempts)}`, cause);
    }
  }

  private error(what: string, cause?: unknown): CatalogError {
    return new CatalogError(`catalog ${this.describe()}: ${what}`, 'catalog_io', undefined, cause);
  }
}
