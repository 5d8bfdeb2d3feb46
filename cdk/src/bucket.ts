/**
 * @module bucket
 * The catalog bucket (requests, runs, inputs and scratch objects, the S3 catalog that
 * `carve runs` reads) and the bucket that receives its server access logs.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SCRATCH_PREFIX } from '@carve/cloud';

/** Days a server access log is kept. */
export const ACCESS_LOG_DAYS = 90;
/** Days before an incomplete multipart upload (a worker killed mid-upload) is aborted. */
export const ABORT_MULTIPART_DAYS = 7;
/** Days an overwritten or deleted version of an object is kept. */
export const NONCURRENT_VERSION_DAYS = 30;

export interface CatalogBucketProps {
  readonly bucketName?: string;
  readonly scratchExpirationDays: number;
  readonly removalPolicy: RemovalPolicy;
}

/** The settings every bucket of the stack shares: private, TLS only, encrypted. */
const privateBucket = (removalPolicy: RemovalPolicy): s3.BucketProps => ({
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: s3.BucketEncryption.S3_MANAGED,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  removalPolicy,
});

/** The catalog bucket and its access-log bucket. */
export class CatalogBucket extends Construct {
  /** The catalog bucket. */
  readonly bucket: s3.Bucket;
  /** Where S3 writes the catalog bucket's access logs. */
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: CatalogBucketProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...privateBucket(props.removalPolicy),
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
    });

    this.bucket = new s3.Bucket(this, 'Catalog', {
      ...privateBucket(props.removalPolicy),
      bucketName: props.bucketName,
      // Versions keep a run recoverable from an overwrite or a delete by mistake.
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'catalog/',
      lifecycleRules: [
        { id: 'expire-scratch', prefix: SCRATCH_PREFIX, expiration: Duration.days(props.scratchExpirationDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(ABORT_MULTIPART_DAYS) },
        // Expired delete markers (left once their versions are gone) are removed too.
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS), expiredObjectDeleteMarker: true },
      ],
    });
  }
}
