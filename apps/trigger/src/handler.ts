/**
 * @module handler
 * The trigger: for each object created under `requests/`, read it as a run spec, and either
 * submit one Batch job for its run or record why it was rejected, in `runs/<id>/status.json`.
 *
 * S3 delivers events at least once, and the same spec may be put twice: the run id is a hash
 * of the spec's content, and a run that already has a live status record is not submitted
 * again. The status record is claimed with a conditional write before the job is submitted,
 * so two concurrent deliveries of one event submit one job. A request problem never throws
 * (a thrown error would make Lambda retry the event for nothing); it is written down.
 */
import { BatchClient, SubmitJobCommand } from '@aws-sdk/client-batch';
import { S3Client } from '@aws-sdk/client-s3';
import { FINAL_STATES, getObjectUpTo, jobNameFor, JobParameters, readRequest, readStatus, RequestReading, RequestRejection, rejectedRunId, REQUESTS_PREFIX, StatusRecord, tooLarge, writeStatus } from '@carve/cloud';
import { nameRefusal } from '@carve/names';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { TriggerConfig } from './config';
import { retryThrottled, RetryOptions } from './retry';

/** What happened to one event record. */
export interface RecordOutcome {
  key: string;
  outcome: 'submitted' | 'duplicate' | 'rejected' | 'failed' | 'ignored';
  id?: string;
  jobId?: string;
  /** Why it was ignored, rejected, failed or a duplicate. */
  reason?: string;
  /** Why a request was rejected: too large (as HTTP's 413 says it), or not a valid request. */
  code?: RequestRejection;
}

export interface TriggerDependencies {
  config: TriggerConfig;
  s3: S3Client;
  batch: BatchClient;
  now?: () => Date;
  /** One JSON object per line, as CloudWatch Logs Insights reads them. @default console.log */
  log?: (entry: Record<string, unknown>) => void;
  retry?: RetryOptions;
}

/** An S3 test event, sent once when a notification is configured. */
interface S3TestEvent {
  Event: 's3:TestEvent';
}

/** The Lambda handler over `deps`: handles every record of an S3 event and returns what it did with each. */
export function createHandler(deps: TriggerDependencies): (event: S3Event | S3TestEvent) => Promise<{ records: RecordOutcome[] }> {
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));
  return async (event) => {
    if ('Event' in event) return { records: [] };
    const records: RecordOutcome[] = [];
    for (const record of event.Records ?? []) {
      const outcome = await handleRecord(record, deps);
      log({ ...outcome });
      records.push(outcome);
    }
    return { records };
  };
}

/** The object key of an S3 event record: URL-encoded, with '+' for spaces; undefined when it is not encoded so (S3 never sends that). */
export function eventKey(record: S3EventRecord): string | undefined {
  try {
    return decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * The request of `record`, read and checked; undefined when it is gone. A key that is no object
 * key (`requests/../runs/x/manifest.json`) is rejected unread, and so is an object over the size
 * limit: judged first by the size in the event, then by the size GetObject answers and the bytes
 * as they arrive, so that at most the limit is ever read and nothing larger is parsed.
 */
async function read(record: S3EventRecord, key: string, requestVersion: string | undefined, { config, s3 }: TriggerDependencies): Promise<RequestReading | undefined> {
  // Rejected unread, under an id made from the key and its version (a repeated event gives the same one).
  const unread = (problem: string, code: RequestRejection): RequestReading => ({ ok: false, id: rejectedRunId(Buffer.from(`${key}\n${requestVersion ?? ''}`)), problems: [problem], code });
  const refusal = nameRefusal('object key', key);
  if (refusal) return unread(`(request key): ${refusal}`, 'invalid_request');
  const size = record.s3.object.size;
  if (size > config.maxRequestBytes) return unread(tooLarge(size, config.maxRequestBytes), 'request_too_large');
  const object = await getObjectUpTo(s3, config.bucket, key, config.maxRequestBytes);
  if (object === undefined) return undefined;
  if ('tooLarge' in object) return unread(tooLarge(object.size, config.maxRequestBytes), 'request_too_large');
  return readRequest(object.bytes, key, config.bucket, config.maxRequestBytes);
}

async function handleRecord(record: S3EventRecord, deps: TriggerDependencies): Promise<RecordOutcome> {
  const { config, s3 } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const key = eventKey(record);
  if (key === undefined) return { key: record.s3.object.key, outcome: 'ignored', reason: 'the key is not URL-encoded as S3 encodes keys' };
  if (!record.eventName?.startsWith('ObjectCreated:')) return { key, outcome: 'ignored', reason: `event ${record.eventName}` };
  if (record.s3.bucket.name !== config.bucket) return { key, outcome: 'ignored', reason: `bucket ${record.s3.bucket.name} is not the catalog bucket ${config.bucket}` };
  if (!key.startsWith(REQUESTS_PREFIX)) return { key, outcome: 'ignored', reason: `not under ${REQUESTS_PREFIX}` };
  const requestVersion = record.s3.object.versionId ?? record.s3.object.sequencer;
  const base = { format: 1 as const, request: key, ...(requestVersion ? { requestVersion } : {}) };

  const reading = await read(record, key, requestVersion, deps);
  if (reading === undefined) return { key, outcome: 'ignored', reason: 'the request was removed before it could be read' };
  if (!reading.ok) {
    await writeStatus(s3, config.bucket, { ...base, id: reading.id, state: 'rejected', updated: now(), problems: reading.problems });
    return { key, outcome: 'rejected', id: reading.id, code: reading.code, reason: reading.problems.join('; ') };
  }

  const { id } = reading;
  const job = { name: jobNameFor(id), queue: config.jobQueue };
  const existing = await readStatus(s3, config.bucket, id);
  if (existing && (!FINAL_STATES.includes(existing.state) || existing.state === 'succeeded' || existing.requestVersion === requestVersion)) {
    return { key, outcome: 'duplicate', id, jobId: existing.job?.id, reason: `run ${id} is ${existing.state}${existing.request !== key ? ` (requested by ${existing.request})` : ''}` };
  }
  // The claim: only one delivery creates the record; a failed or cancelled run is claimed again by a new put.
  const claim: StatusRecord = { ...base, id, state: 'submitted', updated: now(), job };
  const claimed = await writeStatus(s3, config.bucket, claim, { create: existing === undefined });
  if (!claimed) return { key, outcome: 'duplicate', id, reason: `run ${id} was claimed by another delivery of this event` };

  const parameters: JobParameters = { request: key, run: id };
  try {
    const submitted = await retryThrottled(
      () =>
        deps.batch.send(
          new SubmitJobCommand({
            jobName: job.name,
            jobQueue: config.jobQueue,
            jobDefinition: config.jobDefinition,
            parameters: { ...parameters },
            tags: { 'carve:run': id },
            propagateTags: true,
          }),
        ),
      deps.retry,
    );
    await writeStatus(s3, config.bucket, { ...claim, updated: now(), job: { ...job, id: submitted.jobId } });
    return { key, outcome: 'submitted', id, jobId: submitted.jobId };
  } catch (e) {
    // Written down rather than thrown: putting the request again submits it again.
    const error = `could not submit the job: ${(e as Error).name ?? 'Error'}: ${(e as Error).message}`;
    await writeStatus(s3, config.bucket, { ...claim, state: 'failed', updated: now(), error });
    return { key, outcome: 'failed', id, reason: error };
  }
}
