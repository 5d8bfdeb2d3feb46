/**
 * @module batch
 * The GPU compute of the cloud path: a managed EC2 compute environment that scales from
 * zero instances (nothing is paid while no job waits), its job queue, and the worker's job
 * definition with its roles and log group.
 */
import { Duration, RemovalPolicy, Size, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV, INPUTS_PREFIX, REQUESTS_PREFIX, RUNS_PREFIX, WORKER_COMMAND, WORKER_EXIT } from '@carve/cloud';
import { pullsFromEcr } from './image';
import { objectWildcardFinding } from './nag';
import type { ResolvedCarveCloudProps } from './props';
import type { WorkerNetwork } from './network';

/** Size of the instances' root volume, which holds the worker image (CUDA and cuDNN are large) and a run's files. */
export const ROOT_VOLUME_GIB = 100;

export interface WorkerBatchProps {
  readonly settings: ResolvedCarveCloudProps;
  readonly network: WorkerNetwork;
  readonly bucket: s3.IBucket;
  readonly image: ecs.ContainerImage;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The compute environment, the job queue and the worker's job definition. */
export class WorkerBatch extends Construct {
  readonly computeEnvironment: batch.ManagedEc2EcsComputeEnvironment;
  readonly jobQueue: batch.JobQueue;
  readonly jobDefinition: batch.EcsJobDefinition;
  /** The worker's own role (the ECS task role): what the running job may do. */
  readonly jobRole: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkerBatchProps) {
    super(scope, id);
    const { settings } = props;

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      // IMDSv2 only, one hop: a container (bridge network, one hop further) cannot reach the
      // instance role's credentials; the worker uses its job role through ECS instead.
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      // /dev/xvda is the root device of the ECS-optimized Amazon Linux AMIs.
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(ROOT_VOLUME_GIB, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });

    this.computeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(this, 'ComputeEnvironment', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.subnets,
      securityGroups: [props.network.securityGroup],
      instanceTypes: settings.instanceTypes.map((t) => new ec2.InstanceType(t)),
      // Only the listed GPU types: 'optimal' would add CPU-only families the worker cannot use.
      useOptimalInstanceClasses: false,
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2023_NVIDIA }],
      minvCpus: 0,
      maxvCpus: settings.maxvCpus,
      spot: settings.spot,
      allocationStrategy: settings.spot ? batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED : batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      launchTemplate,
    });
    Validations.of(this.computeEnvironment).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
      reason: "The instance role of a Batch ECS instance needs the ECS agent's rights on the cluster Batch creates (its name is only known after deployment); AWS maintains this policy for exactly that role",
    });

    this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
      computeEnvironments: [{ computeEnvironment: this.computeEnvironment, order: 1 }],
      priority: 1,
    });

    this.logGroup = new logs.LogGroup(this, 'WorkerLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'carve worker: reads requests and inputs, writes its run in the catalog bucket',
    });
    addWorkerStatements(this.jobRole, props.bucket);

    const container = new batch.EcsEc2ContainerDefinition(this, 'Container', {
      image: props.image,
      gpu: 1,
      cpu: settings.vcpus,
      memory: Size.mebibytes(settings.memoryMiB),
      command: [...WORKER_COMMAND],
      environment: {
        [ENV.bucket]: props.bucket.bucketName,
        // Set, so the SDK never asks the instance metadata service (which the container cannot reach).
        AWS_REGION: Stack.of(this).region,
      },
      jobRole: this.jobRole,
      logging: ecs.LogDriver.awsLogs({ logGroup: this.logGroup, streamPrefix: 'worker' }),
    });

    if (pullsFromEcr(settings.imageUri)) {
      Validations.of(container.executionRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken, which the execution role needs to pull the image from ECR, has no resource-level permissions; the pull actions are granted on the one repository',
      });
    }

    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      container,
      // Defaults for the command's Ref:: placeholders; the trigger always submits both.
      parameters: { request: '', run: '' },
      timeout: Duration.hours(settings.jobTimeout),
      retryAttempts: settings.retryAttempts,
      retryStrategies: workerRetryStrategies(),
      propagateTags: true,
    });
    if (settings.imageTag !== undefined) Tags.of(this.jobDefinition).add('carve:image-tag', settings.imageTag);
  }
}

/**
 * When Batch retries a failed attempt, evaluated in order: the host went away (a reclaimed
 * spot instance, a failed host), or the worker said the failure was transient; anything else,
 * a bad request above all, is final. Without the last rule Batch would retry every failure.
 */
export function workerRetryStrategies(): batch.RetryStrategy[] {
  return [
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onExitCode: String(WORKER_EXIT.transient) })),
    batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: String(WORKER_EXIT.badRequest) })),
    batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onReason: '*' })),
  ];
}

/** The worker's rights on the bucket: read its request and inputs, read and write its run. */
function addWorkerStatements(role: iam.Role, bucket: s3.IBucket): void {
  const objects = (...prefixes: string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadRequestsInputsRuns', actions: ['s3:GetObject'], resources: objects(REQUESTS_PREFIX, INPUTS_PREFIX, RUNS_PREFIX) }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteRuns', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: objects(RUNS_PREFIX) }));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ListRunsInputs',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      // IfExists: a GetObject of a missing key is answered 404 only to a caller allowed to
      // list, and that implicit check carries no s3:prefix; a plain StringLike would turn
      // every "no manifest yet" into 403. A listing that gives a prefix is held to these.
      conditions: { StringLikeIfExists: { 's3:prefix': [`${RUNS_PREFIX}*`, `${INPUTS_PREFIX}*`] } },
    }),
  );
  Validations.of(role).acknowledge(
    ...[REQUESTS_PREFIX, INPUTS_PREFIX, RUNS_PREFIX].map((prefix) => ({
      id: objectWildcardFinding(bucket, `${prefix}*`),
      reason: `The worker reads any object under ${prefix} (the request it was given, the inputs it names, the run it continues); run ids are only known at run time`,
    })),
  );
}
