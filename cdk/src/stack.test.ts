import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stage, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { findRepoRoot, WORKER_DOCKERFILE } from './image';
import { CarveCloudStack } from './stack';
import { logicalId, onlyResource, resourcesOf, synth, synthDefault } from './testing/synth';

describe('CarveCloudStack', () => {
  test('needs no account or region to synthesize', () => {
    const { stack } = synthDefault();
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
  });

  test('outputs the bucket, the job queue and definition, the trigger and the worker log group', () => {
    const { template, stack } = synthDefault();
    expect(template.toJSON().Outputs).toEqual({
      BucketName: expect.objectContaining({ Value: { Ref: logicalId(stack.catalog.bucket) } }),
      JobQueueArn: expect.objectContaining({ Value: { 'Fn::GetAtt': [logicalId(stack.batch.jobQueue), 'JobQueueArn'] } }),
      JobDefinitionArn: expect.objectContaining({ Value: { Ref: logicalId(stack.batch.jobDefinition) } }),
      TriggerFunctionName: expect.objectContaining({ Value: { Ref: logicalId(stack.trigger.function) } }),
      WorkerLogGroupName: expect.objectContaining({ Value: { Ref: logicalId(stack.batch.logGroup) } }),
    });
  });

  test("builds the worker image from the repository root with the worker's Dockerfile, for x86_64", () => {
    const root = findRepoRoot();
    expect(root).toBe(path.resolve(__dirname, '..', '..'));
    const [, definition] = onlyResource(synthDefault().template, 'AWS::Batch::JobDefinition');
    expect((definition.ContainerProperties as { Image: unknown }).Image).toEqual({
      'Fn::Sub': expect.stringMatching(/^\$\{AWS::AccountId\}\.dkr\.ecr\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}\/cdk-hnb659fds-container-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}:[0-9a-f]{64}$/),
    });
    const assembly = Stage.of(synthDefault().stack)!.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Carve.assets.json'), 'utf8')) as { dockerImages: Record<string, { source: unknown }> };
    expect(Object.values(manifest.dockerImages).map((i) => i.source)).toEqual([{ directory: root, dockerFile: WORKER_DOCKERFILE, platform: 'linux/amd64' }]);
  });

  test('a new imageTag rebuilds the image (a new asset hash)', () => {
    const image = (s: ReturnType<typeof synth>) => (onlyResource(s.template, 'AWS::Batch::JobDefinition')[1].ContainerProperties as { Image: unknown }).Image;
    expect(image(synth({ imageTag: 'v2' }))).not.toEqual(image(synthDefault()));
  });

  test('imageUri runs a prebuilt image: from a public registry as given, from ECR with the pull granted', () => {
    const publicImage = synth({ imageUri: 'public.ecr.aws/acme/carve-worker:1.0' }).template;
    expect((onlyResource(publicImage, 'AWS::Batch::JobDefinition')[1].ContainerProperties as { Image: unknown }).Image).toBe('public.ecr.aws/acme/carve-worker:1.0');

    const ecr = synth({ imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/carve-worker:2.0' });
    const [, definition] = onlyResource(ecr.template, 'AWS::Batch::JobDefinition');
    expect(JSON.stringify((definition.ContainerProperties as { Image: unknown }).Image)).toContain('123456789012.dkr.ecr.eu-west-1.');
    const role = (definition.ContainerProperties as { ExecutionRoleArn: { 'Fn::GetAtt': [string] } }).ExecutionRoleArn['Fn::GetAtt'][0];
    const [policy] = resourcesOf(ecr.template, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: role }]));
    expect((policy[1].PolicyDocument as { Statement: unknown[] }).Statement.slice(1)).toEqual([
      { Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Effect: 'Allow', Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/carve-worker' },
      { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
    ]);
  });

  test('sets the feature flags its security depends on, whatever the app context says', () => {
    const app = new App({ context: { 'aws:cdk:disable-asset-staging': true, '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': false } });
    const stack = new CarveCloudStack(app, 'Carve');
    const template = Template.fromStack(stack);
    // With the flag off, CDK would give the log bucket the LogDeliveryWrite ACL instead of a policy.
    for (const [, bucket] of resourcesOf(template, 'AWS::S3::Bucket')) expect(bucket.AccessControl).toBeUndefined();
    const principals = resourcesOf(template, 'AWS::S3::BucketPolicy').flatMap(([, p]) => (p.PolicyDocument as { Statement: { Principal: unknown }[] }).Statement.map((st) => st.Principal));
    expect(principals).toContainEqual({ Service: 'logging.s3.amazonaws.com' });
  });
});
