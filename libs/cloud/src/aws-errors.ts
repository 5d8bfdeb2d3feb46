/**
 * @module aws-errors
 * What the AWS SDK throws, as the end of one line a user can act on, for any of the services
 * the cloud pieces call (S3, Batch, CloudWatch Logs): network errors (a Node error code, after
 * the SDK's retries), missing credentials, and service errors (an error name and an HTTP
 * status), each common cause with its own advice. Worded as the catalog words S3's failures.
 */

/** Node's codes for a server that cannot be reached at all. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  errors?: { code?: string }[];
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $fault?: string;
}

const asSdkError = (error: unknown): SdkError => (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkError;

const networkCode = (e: SdkError) => {
  // Node reports a refused dual-stack connection as an AggregateError of one error per address;
  // an error from another realm (a test sandbox) reaches us only as the SDK's wrapper's message.
  const code = e.code ?? e.errors?.[0]?.code ?? [...NETWORK_CODES].find((c) => e.message?.includes(c));
  return code && NETWORK_CODES.has(code) ? code : undefined;
};

/** Whether `error` came from an AWS call (a service answer, a network failure or missing credentials), rather than from a bug. */
export function isAwsFailure(error: unknown): boolean {
  const e = asSdkError(error);
  return e.$metadata !== undefined || e.$fault !== undefined || networkCode(e) !== undefined || ['CredentialsProviderError', 'TimeoutError'].includes(e.name ?? '');
}

export interface AwsFailureContext {
  /** The service, as the advice names it: `S3`, `Batch`, `CloudWatch Logs`. */
  service: string;
  /** The bucket, for S3's advice. */
  bucket?: string;
  /** Tries per request, when the error does not say. @default 3 */
  maxAttempts?: number;
}

/**
 * Why an AWS call failed, as the end of a message (`cannot connect (ECONNREFUSED) after 3
 * attempts; check the endpoint and that the server is running`).
 */
export function describeAwsFailure(error: unknown, context: AwsFailureContext): string {
  const e = asSdkError(error);
  const code = networkCode(e);
  const attempts = e.$metadata?.attempts ?? context.maxAttempts ?? 3;
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (code) return `cannot connect to ${context.service} (${code}) ${tries}; check the endpoint or region, the network, and that the server is running`;
  if (e.name === 'TimeoutError') return `no answer from ${context.service} in time (${e.message}) ${tries}; check the endpoint or region and the network`;
  if (e.name === 'CredentialsProviderError') return 'no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';
  const status = e.$metadata?.httpStatusCode;
  const what = `${e.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}`;
  if (e.name === 'NoSuchBucket') return `bucket '${context.bucket ?? '?'}' does not exist (${what}); check the bucket name and the region`;
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredToken', 'ExpiredTokenException'].includes(e.name ?? '')) {
    return `the AWS credentials were refused (${what}); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, and that they are current`;
  }
  if (status === 403 || ['AccessDenied', 'AccessDeniedException'].includes(e.name ?? '')) {
    return `access denied (${what}); check that the credentials may use ${context.service === 'S3' && context.bucket ? `bucket '${context.bucket}'` : context.service}`;
  }
  return `${e.message || 'failed'} (${what})`;
}
