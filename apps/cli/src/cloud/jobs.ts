/**
 * @module cloud/jobs
 * The commands that reach a run's Batch job through its status record: `carve cloud logs RUN`
 * (the job's CloudWatch log streams, every attempt's, from the start) and `carve cloud cancel
 * RUN` (TerminateJob, which cancels a queued job and stops a running one, then the record).
 */
import { DescribeJobsCommand, JobDetail, TerminateJobCommand } from '@aws-sdk/client-batch';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { FINAL_STATES, StatusRecord, writeStatus } from '@carve/cloud';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { CloudArgs, CloudContext, withCloud } from './context';

/** Where Batch's awslogs driver writes when the job definition names no group. */
export const DEFAULT_LOG_GROUP = '/aws/batch/job';
/** TerminateJob's reason when none is given. */
export const DEFAULT_CANCEL_REASON = 'cancelled with carve cloud cancel';

export interface CancelArgs extends CloudArgs {
  reason?: string;
}

/** The Batch job id of run `id`'s record; a run whose job is not submitted yet is an error saying so. */
function jobIdOf(record: StatusRecord, what: string): string {
  if (record.job?.id) return record.job.id;
  if (record.state === 'rejected') throw new CliError(`run ${record.id} has no Batch job: its request was rejected (carve cloud status ${record.id} lists why)`);
  throw new CliError(`run ${record.id} has no Batch job yet (state ${record.state}); ${what}`);
}

async function describeJob(cloud: CloudContext, record: StatusRecord, jobId: string): Promise<JobDetail> {
  const described = await cloud.onService('Batch', `describe job ${jobId}`, () => cloud.batch.send(new DescribeJobsCommand({ jobs: [jobId] })));
  const job = described.jobs?.find((j) => j.jobId === jobId) ?? described.jobs?.[0];
  if (!job) throw new CliError(`Batch (${cloud.region}) has no job ${jobId} (run ${record.id}); Batch forgets finished jobs after a few days, and a job of another region is not seen: check --region`);
  return job;
}

/** The job's log streams, oldest attempt first (the latest attempt's last, also while it runs). */
export function logStreamsOf(job: JobDetail): string[] {
  const streams: string[] = [];
  for (const attempt of job.attempts ?? []) if (attempt.container?.logStreamName && !streams.includes(attempt.container.logStreamName)) streams.push(attempt.container.logStreamName);
  const current = job.container?.logStreamName;
  if (current && !streams.includes(current)) streams.push(current);
  return streams;
}

export async function logs(id: string, args: CloudArgs, io: CliIO): Promise<void> {
  await withCloud(args, async (cloud) => {
    const record = await cloud.requireStatus(id);
    const jobId = jobIdOf(record, 'its logs appear once the job starts');
    const job = await describeJob(cloud, record, jobId);
    const group = job.container?.logConfiguration?.options?.['awslogs-group'] ?? DEFAULT_LOG_GROUP;
    const streams = logStreamsOf(job);
    if (streams.length === 0) throw new CliError(`job ${job.jobName ?? record.job?.name} (${jobId}) is ${job.status ?? 'unknown'} and has no logs yet; they appear once it is RUNNING`);
    for (const [i, stream] of streams.entries()) {
      io.stderr(`${group} ${stream}${streams.length > 1 ? ` (attempt ${i + 1} of ${streams.length})` : ''}\n`);
      let token: string | undefined;
      while (true) {
        const page = await cloud.onService('CloudWatch Logs', `read log stream ${stream} of ${group}`, async () => {
          try {
            return await cloud.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }));
          } catch (e) {
            if ((e as { name?: string }).name === 'ResourceNotFoundException') throw new CliError(`CloudWatch Logs (${cloud.region}): no log stream ${stream} in ${group}: the job has written no logs there (yet), or they expired`);
            throw e;
          }
        });
        for (const event of page.events ?? []) {
          const message = event.message ?? '';
          io.stdout(message.endsWith('\n') ? message : `${message}\n`);
        }
        // GetLogEvents answers the token it was given once the stream's end is reached.
        if (page.nextForwardToken === undefined || page.nextForwardToken === token) break;
        token = page.nextForwardToken;
      }
    }
  });
}

export async function cancel(id: string, args: CancelArgs, io: CliIO, now: () => Date = () => new Date()): Promise<void> {
  await withCloud(args, async (cloud) => {
    const record = await cloud.requireStatus(id);
    if (FINAL_STATES.includes(record.state)) throw new CliError(`run ${id} is ${record.state} already; there is nothing to cancel`);
    const jobId = jobIdOf(record, 'try again in a moment, once carve cloud status shows its job id');
    const reason = args.reason ?? DEFAULT_CANCEL_REASON;
    await cloud.onService('Batch', `terminate job ${jobId}`, () => cloud.batch.send(new TerminateJobCommand({ jobId, reason })));
    const cancelled: StatusRecord = { ...record, state: 'cancelled', updated: now().toISOString(), error: `cancelled: ${reason}` };
    await cloud.onS3(`write the status of run ${id}`, () => writeStatus(cloud.s3, cloud.bucket, cancelled));
    io.stdout(`cancelled ${id}: job ${record.job?.name} (${jobId}), which was ${record.state}${record.stage ? ` at stage ${record.stage}` : ''}\n`);
  });
}
