/**
 * @module s3-errors
 * Turns what the AWS SDK throws into one line a user can act on. The SDK's errors are
 * either network errors (a Node error code, after the SDK's retries) or service errors
 * (an S3 error code and an HTTP status); each common cause gets its own advice.
 */
import { oneLine } from '@carve/errors';

/** Node's codes for a server that cannot be reached at all. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Node's codes for a connection that broke off mid-request (the server went away, or a proxy cut it). */
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);
/** S3's codes for a client going too fast; they come with HTTP 503 (or 429 from some servers). */
const THROTTLING_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  errors?: { code?: string }[];
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * Why an S3 call failed, as the end of a one-line message (`cannot connect (ECONNREFUSED)
 * after 3 attempts; ...`). `bucket` is named in the advice for a missing bucket; `attempts` is
 * the number of tries when the error does not carry it (the SDK sets `$metadata.attempts`).
 */
export function describeS3Failure(error: unknown, bucket: string, attempts: number): string {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkError;
  // Node reports a refused dual-stack connection as an AggregateError of one error per address;
  // an error from another realm (a test sandbox) reaches us only as the SDK's wrapper's message.
  const code = e.code ?? e.errors?.[0]?.code ?? [...NETWORK_CODES, ...LOST_CODES].find((c) => e.message?.includes(c));
  const tried = e.$metadata?.attempts ?? attempts;
  const tries = `after ${tried} attempt${tried === 1 ? '' : 's'}`;
  if (code && NETWORK_CODES.has(code)) return `cannot connect (${code}) ${tries}; check the endpoint and that the server is running`;
  // Node's words for it: 'socket hang up' (no answer), 'aborted' (a body cut short).
  const lost = code && LOST_CODES.has(code) ? code : ['socket hang up', 'aborted'].find((words) => e.message?.endsWith(words));
  if (lost) return `the connection broke off (${lost}) ${tries}; check the network and that the server is running, then try again`;
  if (e.name === 'TimeoutError') return `no answer in time (${oneLine(e.message ?? '')}) ${tries}; check the endpoint and the network`;
  if (e.name === 'CredentialsProviderError') {
    return 'no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';
  }
  const status = e.$metadata?.httpStatusCode;
  const service = `${e.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}`;
  if (e.name === 'NoSuchBucket') return `bucket '${bucket}' does not exist (${service}); create it, or set the bucket option or CARVE_S3_BUCKET`;
  if (status === 403 || ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(e.name ?? '')) {
    return `access denied (${service}); check the credentials and that they may use bucket '${bucket}'`;
  }
  if (THROTTLING_CODES.has(e.name ?? '') || status === 429) {
    return `the server asks to slow down (${service}) ${tries}; try again later, or with fewer runs publishing at once`;
  }
  const what = `${oneLine(e.message || 'failed')} (${service})`;
  if (status !== undefined && status >= 500) return `${what} ${tries}; the server is failing or overloaded: try again later`;
  return what;
}

/** Whether `error` says that the requested object does not exist. */
export function isNotFound(error: unknown): boolean {
  const e = error as SdkError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || (e?.$metadata?.httpStatusCode === 404 && e?.name !== 'NoSuchBucket');
}
