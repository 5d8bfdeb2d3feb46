/**
 * @module config
 * What the trigger needs to know, from the Lambda's environment (set by the CDK app): the
 * catalog bucket, the job queue and job definition, the request size limit. Read once, with
 * every missing or bad variable named in one error.
 */
import { UserError } from '@carve/errors';
import { ENV, MAX_REQUEST_BYTES } from '@carve/cloud';

export interface TriggerConfig {
  bucket: string;
  /** The job queue's name or ARN. */
  jobQueue: string;
  /** The job definition's name, name:revision or ARN. */
  jobDefinition: string;
  maxRequestBytes: number;
  /** An S3-compatible endpoint (a local stand-in), else AWS. */
  s3Endpoint?: string;
  /** A Batch-compatible endpoint (a local stand-in), else AWS. */
  batchEndpoint?: string;
}

/** The endpoint variable of a local Batch stand-in (tests only; AWS needs none). */
export const BATCH_ENDPOINT_ENV = 'CARVE_BATCH_ENDPOINT';

/** The trigger's settings from `env`; throws one UserError naming every missing or bad variable. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): TriggerConfig {
  const problems: string[] = [];
  const need = (name: string) => {
    const value = env[name];
    if (value === undefined || value === '') problems.push(`${name} is not set`);
    return value ?? '';
  };
  const bucket = need(ENV.bucket);
  const jobQueue = need(ENV.jobQueue);
  const jobDefinition = need(ENV.jobDefinition);
  const limit = env[ENV.maxRequestBytes];
  const maxRequestBytes = limit === undefined || limit === '' ? MAX_REQUEST_BYTES : Number(limit);
  if (!Number.isInteger(maxRequestBytes) || maxRequestBytes <= 0) problems.push(`${ENV.maxRequestBytes} must be a positive whole number of bytes (got ${JSON.stringify(limit)})`);
  if (problems.length > 0) throw new UserError(`trigger configuration: ${problems.join('; ')}`, 'invalid_config', problems);
  return { bucket, jobQueue, jobDefinition, maxRequestBytes, s3Endpoint: env[ENV.endpoint] || undefined, batchEndpoint: env[BATCH_ENDPOINT_ENV] || undefined };
}
