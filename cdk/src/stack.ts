/**
 * @module stack
 * The cloud path in one stack: the catalog bucket, the VPC, Batch GPU compute with the
 * worker's job definition, and the trigger Lambda that turns a request into a job. It needs
 * no account or region at synthesis (the zones are CloudFormation's Fn::GetAZs).
 */
import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CatalogBucket } from './bucket';
import { WorkerBatch } from './batch';
import { workerImage } from './image';
import { WorkerNetwork } from './network';
import { CarveCloudProps, carveCloudPropsSchema, ResolvedCarveCloudProps, resolveProps } from './props';
import { Trigger } from './trigger';

/**
 * Feature flags the stack's security depends on, set on the stack itself so that it does
 * not change with the cdk.json it is synthesized under.
 */
export const STACK_FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  // Server access logs are delivered under a bucket policy, not the log-delivery ACL (ACLs are off).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

/** Props of CarveCloudStack: the stack's own and CDK's. */
export interface CarveCloudStackProps extends StackProps, CarveCloudProps {}

/** The whole cloud path: see docs/cloud.md. */
export class CarveCloudStack extends Stack {
  /** The props with defaults filled in, as the stack used them. */
  readonly settings: ResolvedCarveCloudProps;
  readonly catalog: CatalogBucket;
  readonly network: WorkerNetwork;
  readonly batch: WorkerBatch;
  readonly trigger: Trigger;

  constructor(scope: Construct, id: string, props: CarveCloudStackProps = {}) {
    const keys = new Set(Object.keys(carveCloudPropsSchema.shape));
    const entries = Object.entries(props);
    // Checked before anything is built, so a bad value never leaves a half-made tree.
    const settings = resolveProps(Object.fromEntries(entries.filter(([k, v]) => keys.has(k) && v !== undefined)) as CarveCloudProps);
    const stackProps = Object.fromEntries(entries.filter(([k]) => !keys.has(k))) as StackProps;
    super(scope, id, { description: 'carve: compression runs as AWS Batch GPU jobs, triggered by run requests put in the catalog bucket', ...stackProps });
    for (const [flag, value] of Object.entries(STACK_FEATURE_FLAGS)) this.node.setContext(flag, value);
    this.settings = settings;

    const removal = settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = settings.logRetentionDays as RetentionDays;
    this.catalog = new CatalogBucket(this, 'Bucket', { bucketName: settings.bucketName, scratchExpirationDays: settings.scratchExpirationDays, removalPolicy: removal });
    this.network = new WorkerNetwork(this, 'Network', { logRetention, removalPolicy: removal });
    const bucket = this.catalog.bucket;
    this.batch = new WorkerBatch(this, 'Batch', {
      settings,
      network: this.network,
      bucket,
      image: workerImage(this, settings),
      logRetention,
      removalPolicy: removal,
    });
    this.trigger = new Trigger(this, 'Trigger', {
      bucket,
      jobQueue: this.batch.jobQueue,
      jobDefinition: this.batch.jobDefinition,
      logRetention,
      removalPolicy: removal,
      bundleDir: settings.triggerBundleDir,
    });

    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'The catalog bucket: put run requests under requests/, read runs under runs/' });
    new CfnOutput(this, 'JobQueueArn', { value: this.batch.jobQueue.jobQueueArn, description: 'The Batch job queue of the worker' });
    new CfnOutput(this, 'JobDefinitionArn', { value: this.batch.jobDefinition.jobDefinitionArn, description: "The worker's Batch job definition" });
    new CfnOutput(this, 'TriggerFunctionName', { value: this.trigger.function.functionName, description: 'The Lambda that submits a job for each request' });
    new CfnOutput(this, 'WorkerLogGroupName', { value: this.batch.logGroup.logGroupName, description: "The worker jobs' CloudWatch log group" });
  }
}
