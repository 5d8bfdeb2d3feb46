import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { scanTemplate } from './security';
import { synth, synthDefault } from './testing/synth';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** cdk-nag's AwsSolutions findings that are not acknowledged, as `severity rule at path` lines. */
function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`));
}

/** Every acknowledgment of an AwsSolutions rule in the tree: where, which rule, why. */
function acknowledgments(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata.filter((m) => m.type === ACKNOWLEDGED).flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
    )
    .filter((a) => a.id.startsWith('AwsSolutions-'));
}

describe('cdk-nag AwsSolutions', () => {
  test('finds no unacknowledged error or warning in the stack, with defaults and with spot and a prebuilt ECR image', () => {
    expect(nagFindings(synthDefault().stack)).toEqual([]);
    expect(nagFindings(synth({ spot: true, imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/carve-worker@sha256:' + 'a'.repeat(64), removalPolicy: 'destroy' }).stack)).toEqual([]);
  });

  test('acknowledges findings one by one, on the resource, each with its reason', () => {
    const { stack } = synthDefault();
    const acks = acknowledgments(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // Never the whole stack: each one sits on the construct that has the finding.
      expect([ack.id, ack.path]).not.toEqual([ack.id, stack.node.path]);
      // The IAM rules report one finding per policy or resource; each is named.
      if (/^AwsSolutions-IAM[45]/.test(ack.id)) expect(ack.id).toMatch(/^AwsSolutions-IAM[45]\[(Policy|Resource)::.+\]$/);
      expect(ack.reason.length).toBeGreaterThan(40);
    }
    expect(acks.map((a) => a.id).sort()).toEqual(
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::<BucketCatalog9EC61CD9.Arn>/inputs/*]',
        'AwsSolutions-IAM5[Resource::<BucketCatalog9EC61CD9.Arn>/requests/*]',
        'AwsSolutions-IAM5[Resource::<BucketCatalog9EC61CD9.Arn>/requests/*]',
        'AwsSolutions-IAM5[Resource::<BucketCatalog9EC61CD9.Arn>/runs/*/status.json]',
        'AwsSolutions-IAM5[Resource::<BucketCatalog9EC61CD9.Arn>/runs/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*]',
        'AwsSolutions-L1',
      ].sort(),
    );
  });

  test.each([
    ['the defaults', {}],
    ['a public prebuilt image', { imageUri: 'public.ecr.aws/acme/carve-worker:1' }],
  ])('every acknowledgment silences a finding that is really there, with %s (none is stale)', (_, props) => {
    const { stack } = synth(props);
    const acks = acknowledgments(stack);
    // Forget the acknowledgments, and nag must report each of them.
    for (const c of stack.node.findAll()) {
      const node = c.node as unknown as { _metadata?: { type: string }[] };
      node._metadata = node._metadata?.filter((m) => m.type !== ACKNOWLEDGED);
    }
    const findings = nagFindings(stack);
    for (const ack of acks) expect([ack.id, findings.some((f) => f.includes(` ${ack.id} at ${ack.path}`))]).toEqual([ack.id, true]);
    expect(findings.length).toBeGreaterThanOrEqual(acks.length);
  });
});

describe('scanTemplate', () => {
  test('passes the stack, with defaults and with a public prebuilt image', () => {
    expect(scanTemplate(synthDefault().template.toJSON())).toEqual([]);
    expect(scanTemplate(synth({ imageUri: 'public.ecr.aws/acme/carve-worker:1', spot: true }).template.toJSON())).toEqual([]);
  });

  test('fails a stack with a wildcard grant, an open bucket and a bucket without TLS enforcement', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['arn:aws:s3:::some-bucket/*'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'ecr:GetAuthorizationToken'], resources: ['*'] }));
    new s3.Bucket(stack, 'NoTls', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    const open = new s3.CfnBucket(stack, 'Open', { accessControl: 'PublicRead' });
    // CDK's own template check warns about this bucket too; it is bad on purpose.
    Validations.of(open).acknowledge({ id: 'CloudFormation-Validate::E3045', reason: 'deliberately bad' }, { id: 'CloudFormation-Validate::W3045', reason: 'deliberately bad' });
    const findings = scanTemplate(Template.fromStack(stack).toJSON());
    expect(findings).toEqual([
      { resource: expect.stringMatching(/^RoleDefaultPolicy/), problem: "policy statement 0: wildcard action 's3:*'" },
      { resource: expect.stringMatching(/^RoleDefaultPolicy/), problem: "policy statement 1: Resource '*' for dynamodb:GetItem, which can be granted on specific resources" },
      { resource: expect.stringMatching(/^NoTls/), problem: 'no bucket policy denies requests without TLS (aws:SecureTransport false)' },
      { resource: 'Open', problem: 'public access not blocked: BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets not true' },
      { resource: 'Open', problem: 'public ACL PublicRead' },
      { resource: 'Open', problem: 'no bucket policy denies requests without TLS (aws:SecureTransport false)' },
    ]);
    // cdk-nag fails it too.
    expect(nagFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/^error AwsSolutions-IAM5\[Action::s3:\*\] at Bad\/Role/), expect.stringMatching(/^error AwsSolutions-S10 at Bad\/NoTls/)]));
  });

  test('reads inline role policies and managed policies, and bucket policies open to everyone', () => {
    const template = {
      Resources: {
        R: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', NotAction: 's3:GetObject', Resource: 'arn:x' }] } }] } },
        M: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['iam:Pass*'], Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' }] } } },
        P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] } } },
      },
    };
    expect(scanTemplate(template)).toEqual([
      { resource: 'R', problem: 'inline policy p statement 0: grants with NotAction (every action but some)' },
      { resource: 'M', problem: "policy statement 0: wildcard action 'iam:Pass*'" },
      { resource: 'M', problem: "policy statement 0: Resource '*' for iam:Pass*, which can be granted on specific resources" },
      { resource: 'P', problem: "bucket policy statement 0: allows everyone ('*') with no condition" },
    ]);
  });
});
