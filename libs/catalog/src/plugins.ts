/**
 * @module plugins
 * The built-in catalog backends as plugins of kind 'catalog-backend': `local` (the default)
 * and `s3`. The s3 options each default from an environment variable, read in `create` from
 * the context's environment, so a deployed worker is configured without a spec change.
 */
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { CatalogBackend, CatalogBackendContext } from './backend';
import { CatalogError } from './errors';
import { keyProblem } from './keys';
import { LocalBackend } from './local-backend';
import { S3Backend } from './s3-backend';
import { DEFAULT_S3_RETRY } from './s3-retry';

/** S3's rules for bucket names (general purpose buckets), less the rarely met special cases. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_RULE = '3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';

const bucket = z.string().regex(BUCKET_NAME, `must be ${BUCKET_RULE}`);
const endpoint = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
/** Outer slashes are dropped: `carve/`, `/carve` and `carve` are one prefix. */
const prefix = z
  .string()
  .transform((p) => p.replace(/^\/+|\/+$/g, ''))
  .superRefine((p, ctx) => {
    const problem = p === '' ? undefined : keyProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; use letters, digits and '/' like 'team/carve'` });
  });

export const localBackendPlugin = definePlugin({
  kind: 'catalog-backend',
  name: 'local',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'a local folder; every write is a temporary file renamed into place',
  options: z.object({
    /** Relative to the working directory. */
    root: z.string().min(1).default('catalog'),
  }),
  create: (options): CatalogBackend => new LocalBackend(options.root),
});

export const s3BackendPlugin = definePlugin({
  kind: 'catalog-backend',
  name: 's3',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'an S3 bucket or S3-compatible server (CARVE_S3_BUCKET, CARVE_S3_PREFIX, AWS_REGION, CARVE_S3_ENDPOINT)',
  options: z.object({
    /** @default CARVE_S3_BUCKET */
    bucket: bucket.optional(),
    /** Keys go under it. @default CARVE_S3_PREFIX, else none */
    prefix: prefix.optional(),
    /** @default AWS_REGION, else us-east-1 */
    region: z.string().min(1).optional(),
    /** An S3-compatible server. @default CARVE_S3_ENDPOINT, else AWS */
    endpoint: endpoint.optional(),
    /** @default true with an endpoint (what S3-compatible servers expect), false for AWS */
    forcePathStyle: z.boolean().optional(),
    /** Tries per request before a failure is reported (transient failures only: 5xx, throttling, network). */
    maxAttempts: z.number().int().min(1).max(10).default(DEFAULT_S3_RETRY.maxAttempts),
    /** The waits between tries (ms; full jitter) and their bound in time. @default DEFAULT_S3_RETRY's */
    backoff: z
      .object({
        baseDelayMs: z.number().int().nonnegative(),
        throttledBaseDelayMs: z.number().int().nonnegative(),
        maxDelayMs: z.number().int().nonnegative(),
        maxElapsedMs: z.number().int().nonnegative(),
      })
      .partial()
      .strict()
      .optional(),
  }),
  create: (options, context: CatalogBackendContext = {}): CatalogBackend => {
    const env = context.env ?? process.env;
    const issues: string[] = [];
    /** The option, else the environment variable checked with the option's schema. */
    const resolve = <T>(given: T | undefined, name: string, variable: string, schema: z.ZodType<T>): T | undefined => {
      if (given !== undefined) return given;
      const value = env[variable];
      if (value === undefined || value === '') return undefined;
      const parsed = schema.safeParse(value);
      if (!parsed.success) issues.push(`${variable} (the default of '${name}') ${parsed.error.issues[0].message} (got ${JSON.stringify(value)})`);
      return parsed.data;
    };
    const bucketName = resolve(options.bucket, 'bucket', 'CARVE_S3_BUCKET', bucket);
    const url = resolve(options.endpoint, 'endpoint', 'CARVE_S3_ENDPOINT', endpoint);
    const keyPrefix = resolve(options.prefix, 'prefix', 'CARVE_S3_PREFIX', prefix) ?? '';
    if (bucketName === undefined && issues.length === 0) issues.push('no bucket: set the option bucket or CARVE_S3_BUCKET');
    if (issues.length > 0 || bucketName === undefined) throw new CatalogError(`catalog backend 's3': ${issues.join('; ')}`, 'invalid_catalog_config', issues);
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
    return new S3Backend({
      bucket: bucketName,
      prefix: keyPrefix,
      region: options.region ?? env.AWS_REGION ?? 'us-east-1',
      endpoint: url,
      forcePathStyle: options.forcePathStyle ?? url !== undefined,
      maxAttempts: options.maxAttempts,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      // Credentials in the given environment win, as the SDK's own chain would take them from process.env.
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined,
    });
  },
});

/** Every built-in catalog backend. */
export const catalogBackendPlugins = [localBackendPlugin, s3BackendPlugin];
