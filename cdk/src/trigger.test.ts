import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV, MAX_REQUEST_BYTES, REQUESTS_PREFIX } from '@carve/cloud';
import { DEFAULT_PROPS } from './props';
import { logicalId, onlyResource, resourcesOf, synth, synthDefault } from './testing/synth';
import { STATUS_OBJECTS, triggerBundleDir } from './trigger';

const ids = () => {
  const { stack } = synthDefault();
  return {
    bucket: logicalId(stack.catalog.bucket),
    fn: logicalId(stack.trigger.function),
    role: logicalId(stack.trigger.role),
    logs: logicalId(stack.trigger.logGroup),
    queue: logicalId(stack.batch.jobQueue),
    definition: logicalId(stack.batch.jobDefinition),
  };
};
const triggerFunction = () => synthDefault().template.toJSON().Resources[ids().fn];

describe('the trigger Lambda', () => {
  test('runs the trigger bundle on Node.js 22 with 256 MB for at most a minute', () => {
    expect(triggerFunction().Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler', MemorySize: 256, Timeout: 60, Role: { 'Fn::GetAtt': [ids().role, 'Arn'] } });
    // The code is the trigger package's own bundle, as `npm run build` writes it.
    expect(triggerFunction().Metadata['aws:asset:path']).toBe(triggerBundleDir());
    expect(triggerBundleDir()).toBe(path.join(path.dirname(require.resolve('@carve/trigger/package.json')), 'dist', 'bundle'));
  });

  test('is told the bucket, the job queue and definition ARNs and the request size limit', () => {
    expect(triggerFunction().Properties.Environment.Variables).toEqual({
      [ENV.bucket]: { Ref: ids().bucket },
      [ENV.jobQueue]: { 'Fn::GetAtt': [ids().queue, 'JobQueueArn'] },
      [ENV.jobDefinition]: { Ref: ids().definition },
      [ENV.maxRequestBytes]: String(MAX_REQUEST_BYTES),
    });
  });

  test('logs into its own log group, kept logRetentionDays', () => {
    expect(triggerFunction().Properties.LoggingConfig).toEqual({ LogGroup: { Ref: ids().logs } });
    expect(synthDefault().template.toJSON().Resources[ids().logs].Properties).toEqual({ RetentionInDays: DEFAULT_PROPS.logRetentionDays });
  });

  test('is called for objects created under requests/ only', () => {
    const [, notifications] = onlyResource(synthDefault().template, 'Custom::S3BucketNotifications');
    expect(notifications).toMatchObject({
      BucketName: { Ref: ids().bucket },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: REQUESTS_PREFIX }] } }, LambdaFunctionArn: { 'Fn::GetAtt': [ids().fn, 'Arn'] } }],
      },
    });
    synthDefault().template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [ids().fn, 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::GetAtt': [ids().bucket, 'Arn'] },
    });
  });

  test('a missing bundle is one error that says to build it', () => {
    expect(() => synth({ triggerBundleDir: path.join(__dirname, 'no-such-bundle') })).toThrow(
      `CarveCloudStack: the trigger Lambda's bundle ${path.join(__dirname, 'no-such-bundle', 'index.js')} is missing; run \`npm run build\` at the repository root (it bundles apps/trigger), then synthesize again`,
    );
  });
});

describe("the trigger's role", () => {
  test('is assumed by Lambda and has no managed policy', () => {
    const role = synthDefault().template.toJSON().Resources[ids().role];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
  });

  test('has exactly its logs, the requests, the status records and submitting the job', () => {
    const { template } = synthDefault();
    const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: ids().role }]));
    expect(policies).toHaveLength(1);
    const bucketArn = { 'Fn::GetAtt': [ids().bucket, 'Arn'] };
    const objects = (pattern: string) => ({ 'Fn::Join': ['', [bucketArn, `/${pattern}`]] });
    const definitionArn = { Ref: ids().definition };
    expect((policies[0][1].PolicyDocument as { Statement: unknown }).Statement).toEqual([
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [ids().logs, 'Arn'] } },
      { Sid: 'ReadRequests', Effect: 'Allow', Action: 's3:GetObject', Resource: objects(`${REQUESTS_PREFIX}*`) },
      { Sid: 'ReadWriteStatus', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects(STATUS_OBJECTS) },
      { Sid: 'KnowMissingStatus', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLikeIfExists: { 's3:prefix': [STATUS_OBJECTS] } } },
      {
        Sid: 'SubmitWorkerJob',
        Effect: 'Allow',
        Action: 'batch:SubmitJob',
        Resource: [
          { 'Fn::GetAtt': [ids().queue, 'JobQueueArn'] },
          definitionArn,
          {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':batch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':job-definition/', { 'Fn::Select': [0, { 'Fn::Split': [':', { 'Fn::Select': [1, { 'Fn::Split': ['/', definitionArn] }] }] }] }]],
          },
        ],
      },
      {
        Sid: 'TagSubmittedJob',
        Effect: 'Allow',
        Action: 'batch:TagResource',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':batch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':job/*']] },
        Condition: { StringEquals: { 'batch:CreateAction': 'SubmitJob' } },
      },
    ]);
    template.hasResource('AWS::Lambda::Function', { Properties: Match.objectLike({ Role: { 'Fn::GetAtt': [ids().role, 'Arn'] } }), DependsOn: Match.arrayWith([policies[0][0]]) });
  });
});
