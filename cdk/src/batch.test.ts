import { Match } from 'aws-cdk-lib/assertions';
import { ENV, INPUTS_PREFIX, REQUESTS_PREFIX, RUNS_PREFIX, WORKER_COMMAND, WORKER_EXIT } from '@carve/cloud';
import { ROOT_VOLUME_GIB } from './batch';
import { DEFAULT_PROPS } from './props';
import { logicalId, onlyResource, synth, synthDefault } from './testing/synth';

const bucketArn = () => ({ 'Fn::GetAtt': [logicalId(synthDefault().stack.catalog.bucket), 'Arn'] });
const objects = (pattern: string) => ({ 'Fn::Join': ['', [bucketArn(), `/${pattern}`]] });

describe('the compute environment', () => {
  test('launches only the GPU instance types on the ECS NVIDIA AMI, from 0 to maxvCpus, on demand by default', () => {
    const { template, stack } = synthDefault();
    const [, environment] = onlyResource(template, 'AWS::Batch::ComputeEnvironment');
    expect(environment).toMatchObject({ Type: 'managed', State: 'ENABLED' });
    expect(environment.ComputeResources).toMatchObject({
      Type: 'EC2',
      InstanceTypes: [...DEFAULT_PROPS.instanceTypes],
      MinvCpus: 0,
      MaxvCpus: DEFAULT_PROPS.maxvCpus,
      AllocationStrategy: 'BEST_FIT_PROGRESSIVE',
      Ec2Configuration: [{ ImageType: 'ECS_AL2023_NVIDIA' }],
      Subnets: stack.network.vpc.publicSubnets.map((s) => ({ Ref: logicalId(s) })),
      LaunchTemplate: { LaunchTemplateId: { Ref: onlyResource(template, 'AWS::EC2::LaunchTemplate')[0] } },
    });
    // No 'optimal' (CPU-only) class is added to the list.
    expect((environment.ComputeResources as { InstanceTypes: string[] }).InstanceTypes).not.toContain('optimal');
  });

  test('with spot, runs spot instances chosen by price and capacity', () => {
    const { template } = synth({ spot: true, maxvCpus: 64, instanceTypes: ['g6e.xlarge'] });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'SPOT', AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED', MaxvCpus: 64, InstanceTypes: ['g6e.xlarge'], MinvCpus: 0 }),
    });
  });

  test('has its instances require IMDSv2 with one hop and boot from an encrypted volume', () => {
    synthDefault().template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: ROOT_VOLUME_GIB, VolumeType: 'gp3' } }],
      }),
    });
  });

  test('feeds one job queue', () => {
    const { template, stack } = synthDefault();
    const [, queue] = onlyResource(template, 'AWS::Batch::JobQueue');
    expect(queue).toMatchObject({ State: 'ENABLED', Priority: 1, ComputeEnvironmentOrder: [{ ComputeEnvironment: { 'Fn::GetAtt': [logicalId(stack.batch.computeEnvironment), 'ComputeEnvironmentArn'] }, Order: 1 }] });
  });
});

describe('the job definition', () => {
  test('runs the worker command on one GPU with the default vCPUs and memory', () => {
    const [, definition] = onlyResource(synthDefault().template, 'AWS::Batch::JobDefinition');
    expect(definition).toMatchObject({ Type: 'container', PlatformCapabilities: ['EC2'], Parameters: { request: '', run: '' }, PropagateTags: true });
    const container = definition.ContainerProperties as Record<string, unknown>;
    expect(container.Command).toEqual([...WORKER_COMMAND]);
    expect(container.ResourceRequirements).toEqual(
      expect.arrayContaining([
        { Type: 'GPU', Value: '1' },
        { Type: 'VCPU', Value: String(DEFAULT_PROPS.vcpus) },
        { Type: 'MEMORY', Value: String(DEFAULT_PROPS.memoryMiB) },
      ]),
    );
    expect(container.ResourceRequirements).toHaveLength(3);
  });

  test('tells the worker its bucket and region', () => {
    const [, definition] = onlyResource(synthDefault().template, 'AWS::Batch::JobDefinition');
    expect((definition.ContainerProperties as { Environment: unknown }).Environment).toEqual([
      { Name: ENV.bucket, Value: { Ref: logicalId(synthDefault().stack.catalog.bucket) } },
      { Name: 'AWS_REGION', Value: { Ref: 'AWS::Region' } },
    ]);
  });

  test('retries reclaimed hosts and transient exits, up to retryAttempts, and never a bad request', () => {
    const [, definition] = onlyResource(synthDefault().template, 'AWS::Batch::JobDefinition');
    expect(definition.RetryStrategy).toEqual({
      Attempts: DEFAULT_PROPS.retryAttempts,
      EvaluateOnExit: [
        { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
        { Action: 'RETRY', OnExitCode: String(WORKER_EXIT.transient) },
        { Action: 'EXIT', OnExitCode: String(WORKER_EXIT.badRequest) },
        { Action: 'EXIT', OnReason: '*' },
      ],
    });
    expect(definition.Timeout).toEqual({ AttemptDurationSeconds: DEFAULT_PROPS.jobTimeout * 3600 });
  });

  test('logs to its own log group, kept logRetentionDays', () => {
    const { template, stack } = synthDefault();
    const logGroup = logicalId(stack.batch.logGroup);
    const [, definition] = onlyResource(template, 'AWS::Batch::JobDefinition');
    expect((definition.ContainerProperties as { LogConfiguration: unknown }).LogConfiguration).toEqual({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': { Ref: logGroup }, 'awslogs-region': { Ref: 'AWS::Region' }, 'awslogs-stream-prefix': 'worker' },
    });
    expect(template.toJSON().Resources[logGroup].Properties).toEqual({ RetentionInDays: DEFAULT_PROPS.logRetentionDays });
  });

  test('takes the props it is given', () => {
    const { template } = synth({ memoryMiB: 30_000, vcpus: 8, jobTimeout: 2, retryAttempts: 5, logRetentionDays: 7, imageTag: 'v1.2', instanceTypes: ['g5.2xlarge'] });
    const [, definition] = onlyResource(template, 'AWS::Batch::JobDefinition');
    expect((definition.ContainerProperties as { ResourceRequirements: unknown }).ResourceRequirements).toEqual(
      expect.arrayContaining([
        { Type: 'VCPU', Value: '8' },
        { Type: 'MEMORY', Value: '30000' },
      ]),
    );
    expect(definition).toMatchObject({ Timeout: { AttemptDurationSeconds: 7200 }, RetryStrategy: { Attempts: 5 }, Tags: { 'carve:image-tag': 'v1.2' } });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });
});

describe("the worker's roles", () => {
  test('the job role reads requests, inputs and runs, writes runs, and lists only under runs/ and inputs/', () => {
    const { template, stack } = synthDefault();
    const role = logicalId(stack.batch.jobRole);
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })] } });
    expect(template.toJSON().Resources[role].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }));
    expect(policies).toHaveLength(1);
    expect((policies[0] as { Properties: { PolicyDocument: { Statement: unknown } } }).Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'ReadRequestsInputsRuns', Effect: 'Allow', Action: 's3:GetObject', Resource: [REQUESTS_PREFIX, INPUTS_PREFIX, RUNS_PREFIX].map((p) => objects(`${p}*`)) },
      { Sid: 'WriteRuns', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(`${RUNS_PREFIX}*`) },
      { Sid: 'ListRunsInputs', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn(), Condition: { StringLikeIfExists: { 's3:prefix': [`${RUNS_PREFIX}*`, `${INPUTS_PREFIX}*`] } } },
    ]);
    const [, definition] = onlyResource(template, 'AWS::Batch::JobDefinition');
    expect(definition.ContainerProperties).toMatchObject({ JobRoleArn: { 'Fn::GetAtt': [role, 'Arn'] } });
  });

  test('the execution role only pulls the image and writes the log group', () => {
    const { template } = synthDefault();
    const [, definition] = onlyResource(template, 'AWS::Batch::JobDefinition');
    const role = (definition.ContainerProperties as { ExecutionRoleArn: { 'Fn::GetAtt': [string, string] } }).ExecutionRoleArn['Fn::GetAtt'][0];
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } })) as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }[];
    expect(policy.Properties.PolicyDocument.Statement.map((s) => s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      'ecr:GetAuthorizationToken',
    ]);
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toEqual({ 'Fn::GetAtt': [logicalId(synthDefault().stack.batch.logGroup), 'Arn'] });
  });
});
