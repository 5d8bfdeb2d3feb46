/**
 * @module @carve/trigger
 * The Lambda handler of the cloud path: an object created under `requests/` of the catalog
 * bucket is read as a run spec and submitted as one AWS Batch job, or rejected with every
 * problem, in `runs/<id>/status.json`. Bundled into one file (dist/bundle/index.js) that
 * the CDK app deploys.
 */
import { BatchClient } from '@aws-sdk/client-batch';
import { cloudS3Client } from '@carve/cloud';
import type { S3Event } from 'aws-lambda';
import { configFromEnv } from './config';
import { createHandler, RecordOutcome } from './handler';

export { BATCH_ENDPOINT_ENV, configFromEnv } from './config';
export type { TriggerConfig } from './config';
export { createHandler, eventKey } from './handler';
export type { RecordOutcome, TriggerDependencies } from './handler';
export { isThrottling, retryThrottled } from './retry';
export type { RetryOptions } from './retry';

let handle: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point: the clients are made on the first event and kept for the next. */
export async function handler(event: S3Event): Promise<{ records: RecordOutcome[] }> {
  if (!handle) {
    const config = configFromEnv(process.env);
    handle = createHandler({
      config,
      s3: cloudS3Client({ endpoint: config.s3Endpoint }),
      batch: new BatchClient({ ...(config.batchEndpoint ? { endpoint: config.batchEndpoint } : {}), region: process.env.AWS_REGION ?? 'us-east-1' }),
    });
  }
  return handle(event);
}
