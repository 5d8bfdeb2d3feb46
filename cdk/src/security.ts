/**
 * @module security
 * The project's own check of a synthesized template, beside cdk-nag: no IAM grant of a
 * wildcard action, `Resource: '*'` only for actions that have no resource-level permissions,
 * and every bucket private and TLS-only. It reads the template alone, so it judges what is
 * deployed, whichever construct wrote it.
 */

/** One problem the scan found. */
export interface SecurityFinding {
  /** The template's logical id of the resource. */
  readonly resource: string;
  readonly problem: string;
}

/**
 * The actions that may be granted on `Resource: '*'`, each because IAM offers nothing
 * narrower for it (the Service Authorization Reference lists no resource type).
 */
export const RESOURCE_STAR_ACTIONS: Readonly<Record<string, string>> = {
  'ecr:GetAuthorizationToken': 'A registry login token is per account and region; the action takes no resource (the image pull actions are granted on the repository)',
};

/** Canned ACLs that open a bucket to everyone or to every AWS account. */
const PUBLIC_ACLS = new Set(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead']);
const PUBLIC_ACCESS_BLOCKS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'] as const;

interface Statement {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Resource {
  Type?: string;
  Properties?: Record<string, unknown>;
}
/** The part of a CloudFormation template the scan reads. */
export interface ScannedTemplate {
  Resources?: Record<string, Resource>;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statementsOf = (document: unknown): Statement[] => list((document as { Statement?: unknown } | undefined)?.Statement) as Statement[];

/** Every problem of `template`; none means it passed. */
export function scanTemplate(template: ScannedTemplate): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  const resources = Object.entries(template.Resources ?? {});
  for (const [id, resource] of resources) {
    for (const { where, document } of iamDocuments(resource)) {
      statementsOf(document).forEach((s, i) => findings.push(...iamStatementProblems(s).map((problem) => ({ resource: id, problem: `${where} statement ${i}: ${problem}` }))));
    }
    if (resource.Type === 'AWS::S3::Bucket') findings.push(...bucketProblems(id, resource, resources).map((problem) => ({ resource: id, problem })));
    if (resource.Type === 'AWS::S3::BucketPolicy') {
      statementsOf(resource.Properties?.PolicyDocument).forEach((s, i) => {
        if (s.Effect === 'Allow' && isEveryone(s.Principal) && s.Condition === undefined) findings.push({ resource: id, problem: `bucket policy statement ${i}: allows everyone ('*') with no condition` });
      });
    }
  }
  return findings;
}

/** The IAM policy documents a resource grants with (trust policies are not grants). */
function iamDocuments(resource: Resource): { where: string; document: unknown }[] {
  const p = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return [{ where: 'policy', document: p.PolicyDocument }];
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return list(p.Policies).map((policy) => ({ where: `inline policy ${String((policy as { PolicyName?: unknown }).PolicyName)}`, document: (policy as { PolicyDocument?: unknown }).PolicyDocument }));
    default:
      return [];
  }
}

/** Why one statement grants too much. */
export function iamStatementProblems(s: Statement): string[] {
  if (s.Effect !== 'Allow') return [];
  const problems: string[] = [];
  if (s.NotAction !== undefined) problems.push('grants with NotAction (every action but some)');
  if (s.NotResource !== undefined) problems.push('grants with NotResource (every resource but some)');
  const actions = list(s.Action).map(String);
  const wildcards = actions.filter((a) => a.includes('*'));
  if (wildcards.length > 0) problems.push(`wildcard action ${wildcards.map((a) => `'${a}'`).join(', ')}`);
  if (list(s.Resource).includes('*')) {
    const unlisted = actions.filter((a) => !(a in RESOURCE_STAR_ACTIONS));
    if (unlisted.length > 0) problems.push(`Resource '*' for ${unlisted.join(', ')}, which can be granted on specific resources`);
  }
  return problems;
}

function bucketProblems(id: string, bucket: Resource, resources: [string, Resource][]): string[] {
  const problems: string[] = [];
  const p = bucket.Properties ?? {};
  const blocks = (p.PublicAccessBlockConfiguration ?? {}) as Record<string, unknown>;
  const open = PUBLIC_ACCESS_BLOCKS.filter((b) => blocks[b] !== true);
  if (open.length > 0) problems.push(`public access not blocked: ${open.join(', ')} not true`);
  if (typeof p.AccessControl === 'string' && PUBLIC_ACLS.has(p.AccessControl)) problems.push(`public ACL ${p.AccessControl}`);
  const policies = resources.filter(([, r]) => r.Type === 'AWS::S3::BucketPolicy' && refersTo(r.Properties?.Bucket, id));
  if (!policies.some(([, r]) => statementsOf(r.Properties?.PolicyDocument).some(deniesPlainHttp))) problems.push('no bucket policy denies requests without TLS (aws:SecureTransport false)');
  return problems;
}

const refersTo = (value: unknown, id: string): boolean => (value as { Ref?: unknown } | undefined)?.Ref === id;

const isEveryone = (principal: unknown): boolean => principal === '*' || list((principal as { AWS?: unknown } | undefined)?.AWS).includes('*');

function deniesPlainHttp(s: Statement): boolean {
  const secure = s.Condition?.Bool?.['aws:SecureTransport'];
  return s.Effect === 'Deny' && isEveryone(s.Principal) && list(s.Action).includes('s3:*') && (secure === 'false' || secure === false);
}
