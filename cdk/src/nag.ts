/**
 * @module nag
 * Names of cdk-nag findings, for acknowledging exactly one finding of a rule (cdk-nag 3 has
 * no blanket form: `AwsSolutions-IAM5[Resource::…]` names the one wildcard resource).
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** The AwsSolutions-IAM5 finding for a grant on `pattern` (e.g. `runs/*`) of `bucket`'s objects. */
export function objectWildcardFinding(bucket: s3.IBucket, pattern: string): string {
  const resource = bucket.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${bucket.node.path}: not a bucket of this stack`);
  return `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(resource)}.Arn>/${pattern}]`;
}
