/**
 * @module cloud/context
 * What every `carve cloud` command shares: the options that reach the catalog bucket and the
 * region, the clients made from them, and the one-line wording of AWS failures (exit 2, naming
 * the bucket or service and what to check).
 */
import { BatchClient } from '@aws-sdk/client-batch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { checkRunId } from '@carve/catalog';
import { cloudS3Client, describeAwsFailure, ENV, isAwsFailure, readStatus, StatusRecord } from '@carve/cloud';
import { Command } from 'commander';
import { CliError, isUserError } from '../errors';

export interface CloudArgs {
  bucket?: string;
  region?: string;
  endpoint?: string;
}

/** S3's rules for bucket names (general purpose buckets), as the catalog's s3 backend checks them. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Tries per AWS request (the SDK retries throttling and network errors). */
export const MAX_ATTEMPTS = 3;

/** Adds the options every cloud command takes. */
export function withCloudOptions(command: Command): Command {
  return command
    .option('--bucket <name>', 'the catalog bucket (default: $CARVE_S3_BUCKET)')
    .option('--region <name>', 'the AWS region (default: $AWS_REGION, else us-east-1)')
    .option('--endpoint <url>', 'an S3-compatible server instead of AWS S3 (default: $CARVE_S3_ENDPOINT)');
}

/** Where a command works: the bucket, region and S3 endpoint, resolved from the options and the environment. */
export class CloudContext {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
  private s3Client?: S3Client;
  private batchClient?: BatchClient;
  private logsClient?: CloudWatchLogsClient;

  constructor(args: CloudArgs, env: Readonly<Record<string, string | undefined>> = process.env) {
    const bucket = args.bucket ?? env[ENV.bucket];
    if (!bucket) throw new CliError(`--bucket: give the catalog bucket (or set ${ENV.bucket})`);
    if (!BUCKET_NAME.test(bucket)) throw new CliError(`--bucket: '${bucket}' is not a bucket name: use 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`);
    const endpoint = args.endpoint ?? (env[ENV.endpoint] || undefined);
    if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) throw new CliError(`--endpoint: '${endpoint}' must be an http:// or https:// URL`);
    this.bucket = bucket;
    this.region = args.region ?? env.AWS_REGION ?? 'us-east-1';
    this.endpoint = endpoint;
  }

  /** `s3://bucket` (and the endpoint), as messages name the bucket. */
  get where(): string {
    return `s3://${this.bucket}${this.endpoint ? ` at ${this.endpoint}` : ''}`;
  }

  /** The options that reach this bucket again, for the commands a message suggests. */
  get flags(): string {
    return `--bucket ${this.bucket}${this.endpoint ? ` --endpoint ${this.endpoint}` : ''}`;
  }

  get s3(): S3Client {
    this.s3Client ??= cloudS3Client({ region: this.region, endpoint: this.endpoint, maxAttempts: MAX_ATTEMPTS });
    return this.s3Client;
  }

  get batch(): BatchClient {
    this.batchClient ??= new BatchClient({ region: this.region, maxAttempts: MAX_ATTEMPTS });
    return this.batchClient;
  }

  get logs(): CloudWatchLogsClient {
    this.logsClient ??= new CloudWatchLogsClient({ region: this.region, maxAttempts: MAX_ATTEMPTS });
    return this.logsClient;
  }

  /** Runs an S3 call; an AWS failure becomes one line naming the bucket and the operation. */
  onS3<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return awsCall(`${this.where}: ${operation}`, { service: 'S3', bucket: this.bucket, maxAttempts: MAX_ATTEMPTS }, run);
  }

  /** Runs a call to another service (Batch, CloudWatch Logs); an AWS failure becomes one line naming it, the region and the operation. */
  onService<T>(service: string, operation: string, run: () => Promise<T>): Promise<T> {
    return awsCall(`${service} (${this.region}): ${operation}`, { service, maxAttempts: MAX_ATTEMPTS }, run);
  }

  /** Run `id`'s status record; none is an error naming the run (after checking the id). */
  async requireStatus(id: string): Promise<StatusRecord> {
    const record = await this.readStatus(id);
    if (!record) throw new CliError(`no cloud run '${id}' in ${this.where}: it has no status record (runs/${id}/status.json); check the id that carve cloud submit printed, and the bucket`);
    return record;
  }

  async readStatus(id: string): Promise<StatusRecord | undefined> {
    checkRunId(id);
    return this.onS3(`read the status of run ${id}`, () => readStatus(this.s3, this.bucket, id));
  }

  /** Lets go of the clients' connections. */
  close(): void {
    this.s3Client?.destroy();
    this.batchClient?.destroy();
    this.logsClient?.destroy();
  }
}

async function awsCall<T>(what: string, context: Parameters<typeof describeAwsFailure>[1], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isUserError(e) || !isAwsFailure(e)) throw e;
    throw new CliError(`${what}: ${describeAwsFailure(e, context)}`);
  }
}

/** Runs `action` with a context from `args`, closing its clients after. */
export async function withCloud<T>(args: CloudArgs, action: (cloud: CloudContext) => Promise<T>): Promise<T> {
  const cloud = new CloudContext(args);
  try {
    return await action(cloud);
  } finally {
    cloud.close();
  }
}
