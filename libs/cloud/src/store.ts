/**
 * @module store
 * The few S3 calls the cloud pieces make outside the catalog: read an object, write one
 * (optionally only if none exists: S3's conditional write, which makes the trigger's claim
 * on a run atomic), and the status record on top of them.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UserError } from '@carve/errors';
import { Readable } from 'node:stream';
import { StatusRecord, statusRecordSchema } from './status';
import { statusKey } from './protocol';

export interface CloudS3Options {
  /** @default AWS_REGION, else us-east-1 */
  region?: string;
  /** An S3-compatible server instead of AWS (addressed by path). */
  endpoint?: string;
  /** Tries per request. @default 3 */
  maxAttempts?: number;
}

/** An S3 client as every cloud piece sets it up. */
export function cloudS3Client(options: CloudS3Options = {}, env: Readonly<Record<string, string | undefined>> = process.env): S3Client {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  return new S3Client({
    // Credentials in the given environment win, as the SDK's own chain would take them from process.env.
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, sessionToken } } : {}),
    region: options.region ?? env.AWS_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    // S3-compatible servers reject the CRC checksums the SDK adds by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Whether an SDK error says the object is not there (a missing bucket is not that: it is reported). */
export function isMissingObject(e: unknown): boolean {
  const { name, $metadata } = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NoSuchKey' || name === 'NotFound' || ($metadata?.httpStatusCode === 404 && name !== 'NoSuchBucket');
}

/** The object under `key`, or undefined when there is none. */
export async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  } catch (e) {
    if (isMissingObject(e)) return undefined;
    throw e;
  }
}

/** What `getObjectUpTo` read: the object's bytes, or that it has more than the limit (and how many, when S3 said so). */
export type LimitedObject = { bytes: Buffer } | { tooLarge: true; size?: number };

/**
 * The object under `key` if it has at most `maxBytes` bytes; undefined when there is none. A
 * larger object is never read whole: the size GetObject answers refuses it before its body is
 * read, and a body without a size (or longer than it said) is dropped once past the limit.
 */
export async function getObjectUpTo(s3: S3Client, bucket: string, key: string, maxBytes: number): Promise<LimitedObject | undefined> {
  let object;
  try {
    object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (e) {
    if (isMissingObject(e)) return undefined;
    throw e;
  }
  const body = object.Body;
  if (object.ContentLength !== undefined && object.ContentLength > maxBytes) {
    if (body instanceof Readable) body.destroy();
    return { tooLarge: true, size: object.ContentLength };
  }
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    let length = 0;
    // Leaving the loop early destroys the stream: the rest is never received.
    for await (const chunk of body as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxBytes) return { tooLarge: true };
      chunks.push(chunk);
    }
    return { bytes: Buffer.concat(chunks) };
  }
  const bytes = Buffer.from((await body?.transformToByteArray()) ?? []);
  return bytes.length > maxBytes ? { tooLarge: true, size: bytes.length } : { bytes };
}

/**
 * Writes `body` under `key`. With `create`, only when no object is there yet: returns false,
 * writing nothing, when one is (S3 answers 412 to `If-None-Match: *`).
 */
export async function putObject(s3: S3Client, bucket: string, key: string, body: Uint8Array | string, options: { create?: boolean; contentType?: string } = {}): Promise<boolean> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: options.contentType, ...(options.create ? { IfNoneMatch: '*' } : {}) }));
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (options.create && (status === 412 || (e as { name?: string }).name === 'PreconditionFailed')) return false;
    throw e;
  }
}

/** The status record of run `id`, or undefined when it has none; a record that is not one is an error naming it. */
export async function readStatus(s3: S3Client, bucket: string, id: string): Promise<StatusRecord | undefined> {
  const key = statusKey(id);
  const bytes = await getObject(s3, bucket, key);
  if (bytes === undefined) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UserError(`s3://${bucket}/${key}: not valid JSON (${(e as Error).message})`, 'invalid_status');
  }
  const parsed = statusRecordSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new UserError(`s3://${bucket}/${key}: not a status record: ${issues.join('; ')}`, 'invalid_status', issues);
  }
  return parsed.data;
}

/** Writes run `record.id`'s status; with `create`, only if it has none yet (false when it had one). */
export async function writeStatus(s3: S3Client, bucket: string, record: StatusRecord, options: { create?: boolean } = {}): Promise<boolean> {
  const checked = statusRecordSchema.parse(record);
  return putObject(s3, bucket, statusKey(checked.id), `${JSON.stringify(checked, null, 2)}\n`, { create: options.create, contentType: 'application/json' });
}
