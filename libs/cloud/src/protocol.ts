/**
 * @module protocol
 * Where the cloud path keeps things in the catalog bucket and how its pieces name them: a
 * request is a run spec put under `requests/`; its run lives under `runs/<id>/` of the same
 * bucket (the S3 catalog that `carve runs` reads) with a `status.json` beside the manifest;
 * the Batch job that runs it is named after the run. One module, so the trigger, the worker,
 * the CLI and the CDK app cannot disagree.
 */
import { createHash } from 'node:crypto';
import { UserError } from '@carve/errors';
import { nameRefusal } from '@carve/names';
import { RunSpec, specHash } from '@carve/spec';

/** Requests are put under this prefix; the trigger Lambda fires for objects created there. */
export const REQUESTS_PREFIX = 'requests/';
/** Runs live under this prefix, as in every catalog. */
export const RUNS_PREFIX = 'runs/';
/** Scratch objects (expired by the bucket's lifecycle rule). */
export const SCRATCH_PREFIX = 'scratch/';
/**
 * The largest request the trigger reads, in bytes: 256 KiB (CARVE_MAX_REQUEST_BYTES changes it).
 * A run spec is a few kilobytes; the limit keeps a huge object from filling the Lambda's memory.
 * It is checked before the request is parsed, and before it is read whole: against the size in
 * S3's event, then the size GetObject answers, then the bytes as they stream in. A larger
 * request is rejected as too large (REQUEST_TOO_LARGE), the status record saying by how much.
 */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** `id`, when it is a run id; otherwise a UserError ('invalid_name') naming it. Every key made from a run id goes through it. */
function checkedRunId(id: string): string {
  const refusal = nameRefusal('run id', id);
  if (refusal) throw new UserError(refusal, 'invalid_name');
  return id;
}

/** The key of run `id`'s status record (a UserError when `id` is not a run id). */
export const statusKey = (id: string): string => `${RUNS_PREFIX}${checkedRunId(id)}/status.json`;

/** The key `carve cloud submit` puts a request under: named by its run, so a resubmission overwrites the same object. */
export const requestKeyFor = (id: string): string => `${REQUESTS_PREFIX}${checkedRunId(id)}.json`;

/**
 * The run id of a valid request: a hash of its spec's content with the defaults filled in,
 * so the same request put twice, under two names, or as JSON and as YAML is one run and one
 * job (`cloud-` and 16 hex digits).
 */
export const cloudRunId = (spec: RunSpec): string => `cloud-${specHash(spec).slice(0, 16)}`;

/** The id under which a request that is not a valid spec is reported: a hash of its bytes. */
export const rejectedRunId = (bytes: Uint8Array): string => `rejected-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;

/** The Batch job name of run `id` (Batch allows 128 letters, digits, '-' and '_'). */
export const jobNameFor = (id: string): string => `carve-${id}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);

/** The job parameters the trigger submits and the job definition's command substitutes. */
export interface JobParameters {
  /** The request's key in the bucket. */
  request: string;
  /** The run id, derived by the trigger. */
  run: string;
}

/**
 * The worker container's command, as the job definition gives it to Batch: Batch replaces
 * `Ref::request` and `Ref::run` with the submitted parameters. The working directory is the
 * repository root inside the image (and the checkout, for a local stand-in of Batch).
 */
export const WORKER_COMMAND: readonly string[] = ['node', 'apps/worker/dist/main.js', '--request', 'Ref::request', '--run', 'Ref::run'];

/** Environment variables of the cloud pieces (set by the CDK app). */
export const ENV = {
  /** The catalog bucket (also what the s3 catalog backend reads). */
  bucket: 'CARVE_S3_BUCKET',
  /** An S3-compatible endpoint instead of AWS (tests). */
  endpoint: 'CARVE_S3_ENDPOINT',
  /** The trigger's job queue and job definition (ARNs). */
  jobQueue: 'CARVE_JOB_QUEUE',
  jobDefinition: 'CARVE_JOB_DEFINITION',
  /** The trigger's request size limit in bytes. @default MAX_REQUEST_BYTES */
  maxRequestBytes: 'CARVE_MAX_REQUEST_BYTES',
} as const;

/**
 * The worker's exit codes, which the job definition's retry strategy reads: a bad request
 * is never retried, a transient failure (the bucket unreachable after the SDK's retries) is.
 */
export const WORKER_EXIT = { ok: 0, bug: 1, badRequest: 2, transient: 75 } as const;
