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
import { FINAL_STATES, getObject, jobNameFor, JobParameters, readRequest, readStatus, rejectedRunId, REQUESTS_PREFIX, StatusRecord, tooLarge, writeStatus } from '@carve/cloud';
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

/** The object key of an S3 event record: URL-encoded, with '+' for spaces. */
export function eventKey(record: S3EventRecord): string {
  return decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
}

async function handleRecord(record: S3EventRecord, deps: TriggerDependencies): Promise<RecordOutcome> {
  const { config, s3 } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const key = eventKey(record);
  if (!record.eventName?.startsWith('ObjectCreated:')) return { key, outcome: 'ignored', reason: `event ${record.eventName}` };
  if (record.s3.bucket.name !== config.bucket) return { key, outcome: 'ignored', reason: `bucket ${record.s3.bucket.name} is not the catalog bucket ${config.bucket}` };
  if (!key.startsWith(REQUESTS_PREFIX)) return { key, outcome: 'ignored', reason: `not under ${REQUESTS_PREFIX}` };
  const requestVersion = record.s3.object.versionId ?? record.s3.object.sequencer;
  const base = { format: 1 as const, request: key, ...(requestVersion ? { requestVersion } : {}) };

  // An oversized object is judged by the size the event gives, without reading it.
  const size = record.s3.object.size;
  const reading =
    size > config.maxRequestBytes
      ? { ok: false as const, id: rejectedRunId(Buffer.from(`${key}\n${requestVersion ?? ''}`)), problems: [tooLarge(size, config.maxRequestBytes)] }
      : await getObject(s3, config.bucket, key).then((bytes) => bytes && readRequest(bytes, key, config.bucket, config.maxRequestBytes));
  if (reading === undefined) return { key, outcome: 'ignored', reason: 'the request was removed before it could be read' };
  if (!reading.ok) {
    await writeStatus(s3, config.bucket, { ...base, id: reading.id, state: 'rejected', updated: now(), problems: reading.problems });
    return { key, outcome: 'rejected', id: reading.id, reason: reading.problems.join('; ') };
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
