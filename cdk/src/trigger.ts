/**
 * @module trigger
 * The trigger Lambda: S3 calls it for each object created under `requests/`; it reads and
 * checks the request, claims the run with its status record and submits the Batch job. Its
 * role has exactly those rights and no managed policy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { ENV, MAX_REQUEST_BYTES, REQUESTS_PREFIX, RUNS_PREFIX } from '@carve/cloud';
import { CarveCloudError } from './errors';
import { objectWildcardFinding } from './nag';

/** The id under which CDK puts the one handler of every bucket notification in a stack. */
export const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';
/** Where the trigger package's build writes the bundle, relative to the package. */
export const TRIGGER_BUNDLE = ['dist', 'bundle'] as const;
/** The pattern of the status records the trigger reads and writes. */
export const STATUS_OBJECTS = `${RUNS_PREFIX}*/status.json`;

export interface TriggerProps {
  readonly bucket: s3.Bucket;
  readonly jobQueue: batch.IJobQueue;
  readonly jobDefinition: batch.IJobDefinition;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** @default - the bundle of the @carve/trigger package */
  readonly bundleDir?: string;
}

/**
 * The folder of the trigger's bundle (index.js exporting `handler`), which the trigger
 * package's build writes; a missing bundle is an error saying how to make it.
 */
export function triggerBundleDir(dir?: string): string {
  const bundle = dir ?? path.join(path.dirname(require.resolve('@carve/trigger/package.json')), ...TRIGGER_BUNDLE);
  if (!fs.existsSync(path.join(bundle, 'index.js'))) {
    throw new CarveCloudError(`CarveCloudStack: the trigger Lambda's bundle ${path.join(bundle, 'index.js')} is missing; run \`npm run build\` at the repository root (it bundles apps/trigger), then synthesize again`);
  }
  return bundle;
}

/** The trigger function, its role and log group, and the bucket notification that calls it. */
export class Trigger extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TriggerProps) {
    super(scope, id);
    const code = lambda.Code.fromAsset(triggerBundleDir(props.bundleDir));
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'carve trigger: reads requests, claims runs, submits Batch jobs',
    });
    addTriggerStatements(this.role, this.logGroup, props);

    this.function = new lambda.Function(this, 'Function', {
      description: 'carve: submits a Batch job for each run request put under requests/',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        [ENV.bucket]: props.bucket.bucketName,
        [ENV.jobQueue]: props.jobQueue.jobQueueArn,
        [ENV.jobDefinition]: props.jobDefinition.jobDefinitionArn,
        [ENV.maxRequestBytes]: String(MAX_REQUEST_BYTES),
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The trigger bundle is built and tested for Node.js 22, a supported Lambda runtime; moving to a newer one is a change to test first',
    });

    props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.function), { prefix: REQUESTS_PREFIX });
    const handler = Stack.of(this).node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
    if (handler !== undefined) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's own handler that sets the bucket's notification configuration at deployment; it only writes its logs with this policy, and its bucket rights are CDK's inline policy on the one bucket",
      });
    }
  }
}

/** The trigger's rights: its logs, the requests, the status records and submitting the worker's job. */
function addTriggerStatements(role: iam.Role, logGroup: logs.LogGroup, props: TriggerProps): void {
  const { bucket } = props;
  role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadRequests', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${REQUESTS_PREFIX}*`)] }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadWriteStatus', actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(STATUS_OBJECTS)] }));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'KnowMissingStatus',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      // Lets S3 answer 404, not 403, for a run with no status record yet (see the worker's
      // ListRunsInputs); a listing that gives a prefix can only name one status record.
      conditions: { StringLikeIfExists: { 's3:prefix': [STATUS_OBJECTS] } },
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'SubmitWorkerJob',
      actions: ['batch:SubmitJob'],
      // SubmitJob is authorized on the queue and on the job definition; a submission by the
      // definition's name is checked against its ARN without the revision.
      resources: [props.jobQueue.jobQueueArn, props.jobDefinition.jobDefinitionArn, unrevisionedArn(props.jobDefinition)],
    }),
  );
  const stack = Stack.of(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'TagSubmittedJob',
      // The trigger tags each job with its run (carve:run) as it submits it, which Batch
      // authorizes as TagResource on the new job; the condition allows it for nothing else.
      actions: ['batch:TagResource'],
      resources: [stack.formatArn({ service: 'batch', resource: 'job', resourceName: '*' })],
      conditions: { StringEquals: { 'batch:CreateAction': 'SubmitJob' } },
    }),
  );
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*]',
      reason: "A job's id is only known once SubmitJob creates it; the grant is limited to tagging at creation by SubmitJob (batch:CreateAction)",
    },
    { id: objectWildcardFinding(bucket, `${REQUESTS_PREFIX}*`), reason: 'The trigger reads the request that S3 notified it of: any object under requests/' },
    { id: objectWildcardFinding(bucket, STATUS_OBJECTS), reason: "The trigger reads and writes the status record of the run it derives from the request's content: runs/<id>/status.json, the id known only at run time" },
  );
}

/** `arn:…:job-definition/<name>` of a definition whose ARN ends in `<name>:<revision>`. */
function unrevisionedArn(jobDefinition: batch.IJobDefinition): string {
  const nameAndRevision = Fn.select(1, Fn.split('/', jobDefinition.jobDefinitionArn));
  return Stack.of(jobDefinition).formatArn({ service: 'batch', resource: 'job-definition', resourceName: Fn.select(0, Fn.split(':', nameAndRevision)) });
}
