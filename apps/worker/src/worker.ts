/**
 * @module worker
 * One attempt of a Batch job: the run of one request, with the S3 catalog as its output.
 *
 * It reads the request, downloads the inputs the spec names into a local work folder, fetches
 * what earlier attempts of the run published (stage markers included), and runs the pipeline,
 * which skips every stage whose marker and outputs are intact and publishes after each stage
 * it runs. So an attempt after a spot interruption continues from the last published stage on
 * a fresh machine. The status record follows along: running (with the stage), succeeded, failed.
 */
import * as nodePath from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Catalog, CatalogError, s3BackendPlugin } from '@carve/catalog';
import { cloudRunId, cloudS3Client, describeAwsFailure, downloadInputs, isAwsFailure, ENV, getObjectUpTo, jobNameFor, MAX_REQUEST_BYTES, readRequest, readStatus, REQUESTS_PREFIX, StatusRecord, tooLarge, WORKER_EXIT, writeStatus } from '@carve/cloud';
import { isUserError, UserError } from '@carve/errors';
import { nameRefusal } from '@carve/names';
import { compress } from '@carve/pipeline';
import { RunSpec } from '@carve/spec';

export interface WorkerOptions {
  /** The request's key in the bucket (the job parameter `request`). */
  request: string;
  /** The run id the trigger derived (the job parameter `run`). */
  run: string;
  /** CARVE_S3_BUCKET, CARVE_S3_ENDPOINT, AWS_REGION, and what Batch sets: AWS_BATCH_JOB_ID, AWS_BATCH_JOB_ATTEMPT. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where inputs and the run folder go. @default CARVE_WORK_DIR, else /tmp/carve-worker */
  workDir?: string;
  /** One line per event, for the job's log. */
  log?: (line: string) => void;
}

/** Runs the request's run to its end; returns the exit code the job's retry strategy reads. */
export async function runWorker(options: WorkerOptions): Promise<number> {
  const { env, request, run } = options;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const bucket = env[ENV.bucket];
  if (!bucket) {
    log(`carve worker: ${ENV.bucket} is not set (the job definition sets it to the catalog bucket)`);
    return WORKER_EXIT.badRequest;
  }
  // Before anything is read or written: the run id becomes a key and a folder, the request a key.
  const refused = parameterProblem(request, run);
  if (refused) {
    log(`carve worker: ${refused}`);
    return WORKER_EXIT.badRequest;
  }
  const s3 = cloudS3Client({ endpoint: env[ENV.endpoint] || undefined, region: env.AWS_REGION }, env);
  const attempt = Number(env.AWS_BATCH_JOB_ATTEMPT ?? '1');
  let status: StatusRecord = { format: 1, id: run, state: 'running', request, updated: new Date().toISOString(), job: { name: jobNameFor(run) } };
  // Status writes are chained so they land in order; a failed one is logged, never fatal.
  let writing = Promise.resolve();
  const update = (fields: Partial<StatusRecord>) => {
    status = { ...status, ...fields, updated: new Date().toISOString() };
    const record = status;
    writing = writing.then(() => writeStatus(s3, bucket, record).then(() => undefined, (e: Error) => log(`carve worker: could not write the status: ${e.message}`)));
    return writing;
  };

  try {
    const previous = await readStatus(s3, bucket, run).catch(() => undefined);
    const job = { ...previous?.job, name: jobNameFor(run), ...(env.AWS_BATCH_JOB_ID ? { id: env.AWS_BATCH_JOB_ID } : {}), ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}) };
    status = { ...status, ...(previous?.requestVersion ? { requestVersion: previous.requestVersion } : {}), job };
    await update({ state: 'running', stage: 'inputs' });
    log(`carve worker: run ${run}, request s3://${bucket}/${request}, attempt ${job.attempt ?? 1}`);

    const spec = await readSpec(s3, bucket, request, run);
    const work = nodePath.join(options.workDir ?? env.CARVE_WORK_DIR ?? '/tmp/carve-worker', run);
    // Objects land under their own keys (inputs/…, runs/…) in the work folder, beside the catalog copy.
    const local = await downloadInputs(s3, bucket, spec, work);
    // The run goes to the S3 catalog of this bucket; its local copy is the work folder.
    const runSpec: RunSpec = { ...local, output: { catalog: 's3', root: nodePath.join(work, 'catalog'), bucket, ...(env[ENV.endpoint] ? { endpoint: env[ENV.endpoint] } : {}), ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}) } };
    const folder = nodePath.join(runSpec.output.root, 'runs', run);
    // The catalog compress publishes to, resolved the same way (endpoint, region and credentials from the environment).
    const catalog = new Catalog(s3BackendPlugin.create({ bucket, maxAttempts: 3 }, { env }));
    const { fetched } = await catalog.fetchRun(run, folder);
    if (fetched.length > 0) log(`carve worker: continuing from ${fetched.length} published files of an earlier attempt`);

    const result = await compress(runSpec, {
      run,
      onStage: (e) => {
        log(`carve worker: ${e.stage} ${e.phase === 'skip' ? 'skipped (published by an earlier attempt)' : e.phase === 'start' ? `started${e.reason ? ` (${e.reason})` : ''}` : `done in ${e.seconds?.toFixed(1)} s`}`);
        if (e.phase === 'start') void update({ stage: e.stage });
      },
    });
    await update({ state: 'succeeded', stage: undefined });
    log(`carve worker: run ${run} succeeded: s3://${bucket}/runs/${result.id}/`);
    return WORKER_EXIT.ok;
  } catch (e) {
    const transient = isTransient(e);
    const message = isAwsFailure(e) && !(e instanceof CatalogError) ? `s3://${bucket}: ${describeAwsFailure(e, { service: 'S3', bucket })}` : e instanceof Error ? e.message : String(e);
    // A transient failure is retried by Batch while attempts remain; the next attempt sets the state to running again.
    await update({ state: 'failed', error: message });
    log(`carve worker: ${transient ? 'transient failure, to be retried' : 'failed'}: ${message}`);
    if (!isUserError(e) && !transient) log((e as Error).stack ?? message);
    await writing;
    return transient ? WORKER_EXIT.transient : isUserError(e) ? WORKER_EXIT.badRequest : WORKER_EXIT.bug;
  }
}

/**
 * Whether another attempt may succeed where this one failed: the bucket unreachable, slow or
 * overloaded (after the SDK's own retries), not a refusal such as access denied.
 */
function isTransient(e: unknown): boolean {
  if (e instanceof CatalogError) return e.code === 'catalog_io' && !/access denied|credentials/i.test(e.message);
  if (!isAwsFailure(e)) return false;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

/** Why the job's parameters cannot be run, naming the one that is wrong; undefined when both are fine. */
function parameterProblem(request: string, run: string): string | undefined {
  const runRefusal = nameRefusal('run id', run);
  if (runRefusal) return `--run: ${runRefusal}`;
  const requestRefusal = nameRefusal('object key', request);
  if (requestRefusal) return `--request: ${requestRefusal}`;
  if (!request.startsWith(REQUESTS_PREFIX)) return `--request: '${request}' is not under ${REQUESTS_PREFIX}, where requests are put`;
  return undefined;
}

/** The request's spec, checked as the trigger checked it, and for being the run it was submitted as. */
async function readSpec(s3: S3Client, bucket: string, key: string, run: string): Promise<RunSpec> {
  const object = await getObjectUpTo(s3, bucket, key, MAX_REQUEST_BYTES);
  if (object === undefined) throw new UserError(`request s3://${bucket}/${key} does not exist (removed after it was submitted?)`, 'invalid_request');
  if ('tooLarge' in object) throw new UserError(`request s3://${bucket}/${key}: ${tooLarge(object.size, MAX_REQUEST_BYTES)}`, 'request_too_large');
  const reading = readRequest(object.bytes, key, bucket);
  if (!reading.ok) throw new UserError(`request s3://${bucket}/${key}: ${reading.problems.join('; ')}`, 'invalid_request', reading.problems);
  if (cloudRunId(reading.spec) !== run) throw new UserError(`request s3://${bucket}/${key} is now run ${reading.id}, not ${run}: it was changed after it was submitted; put it again`, 'invalid_request');
  return reading.spec;
}
