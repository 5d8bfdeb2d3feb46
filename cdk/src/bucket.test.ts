import { Match } from 'aws-cdk-lib/assertions';
import { INPUTS_PREFIX, REQUESTS_PREFIX, RUNS_PREFIX, SCRATCH_PREFIX } from '@carve/cloud';
import { ABORT_MULTIPART_DAYS, NONCURRENT_VERSION_DAYS } from './bucket';
import { DEFAULT_PROPS } from './props';
import { logicalId, resourcesOf, synth, synthDefault } from './testing/synth';

const catalogId = () => logicalId(synthDefault().stack.catalog.bucket);

describe('the catalog bucket', () => {
  test('blocks all public access, takes TLS only, is encrypted with S3-managed keys and versioned', () => {
    const { template } = synthDefault();
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: catalogId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('expires scratch objects, aborts incomplete uploads and expires old versions', () => {
    const { template } = synthDefault();
    const [, props] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id === catalogId())!;
    expect((props.LifecycleConfiguration as { Rules: unknown[] }).Rules).toEqual([
      { Id: 'expire-scratch', Prefix: SCRATCH_PREFIX, ExpirationInDays: DEFAULT_PROPS.scratchExpirationDays, Status: 'Enabled' },
      { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_MULTIPART_DAYS }, Status: 'Enabled' },
      { Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS }, ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
    ]);
    // The protocol's own prefixes are kept: no rule may expire a request, an input or a run.
    const prefixes = (props.LifecycleConfiguration as { Rules: { Prefix?: string }[] }).Rules.map((r) => r.Prefix).filter((p) => p !== undefined);
    for (const kept of [REQUESTS_PREFIX, RUNS_PREFIX, INPUTS_PREFIX]) expect(prefixes).not.toContain(kept);
  });

  test('is retained when the stack is deleted, unless removalPolicy is destroy', () => {
    synthDefault().template.hasResource('AWS::S3::Bucket', { Properties: Match.objectLike({ VersioningConfiguration: Match.anyValue() }), DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const { template } = synth({ removalPolicy: 'destroy', scratchExpirationDays: 3, bucketName: 'my-carve-catalog' });
    template.hasResource('AWS::S3::Bucket', { Properties: Match.objectLike({ BucketName: 'my-carve-catalog' }), DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-scratch', ExpirationInDays: 3 })]) },
    });
    template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('logs its access into a private, TLS-only bucket whose policy admits only S3 log delivery for this bucket', () => {
    const { template } = synthDefault();
    const logBuckets = resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) => id !== catalogId());
    expect(logBuckets).toHaveLength(1);
    const [logId, logProps] = logBuckets[0];
    expect(logProps).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(logProps.AccessControl).toBeUndefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [catalogId(), 'Arn'] } } }) }),
        ]),
      },
    });
  });
});
