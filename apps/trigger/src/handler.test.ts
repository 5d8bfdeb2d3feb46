import { BatchClient, SubmitJobCommand } from '@aws-sdk/client-batch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { cloudRunId, jobNameFor, MAX_REQUEST_BYTES, statusKey } from '@carve/cloud';
import { parseRunSpec } from '@carve/spec';
import { mockClient } from 'aws-sdk-client-mock';
import type { S3Event } from 'aws-lambda';
import { HOSTILE_NAMES } from '../../../libs/names/src/testing/hostile-names';
import { configFromEnv } from './config';
import { createHandler } from './handler';
import { memoryBucket } from './testing/memory-bucket';

const BUCKET = 'carve-catalog';
const config = { bucket: BUCKET, jobQueue: 'arn:aws:batch:us-east-1:123456789012:job-queue/carve', jobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/carve-worker:3', maxRequestBytes: 4096 };
const spec = { name: 'small', training: { steps: 20 }, search: { budget: 8 } };
const id = cloudRunId(parseRunSpec(spec));

function event(key: string, options: { size?: number; versionId?: string; sequencer?: string; eventName?: string; bucket?: string } = {}): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-12-06T00:00:00.000Z',
        eventName: options.eventName ?? 'ObjectCreated:Put',
        userIdentity: { principalId: 'x' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'requests',
          bucket: { name: options.bucket ?? BUCKET, ownerIdentity: { principalId: 'x' }, arn: `arn:aws:s3:::${BUCKET}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size: options.size ?? 100, eTag: 'e', sequencer: options.sequencer ?? '0A1', ...(options.versionId ? { versionId: options.versionId } : {}) },
        },
      },
    ],
  } as S3Event;
}

function setup() {
  const bucket = memoryBucket(BUCKET);
  const batch = mockClient(BatchClient);
  let jobs = 0;
  batch.on(SubmitJobCommand).callsFake((input: { jobName: string }) => ({ jobId: `job-${++jobs}`, jobName: input.jobName, jobArn: `arn:job/${jobs}` }));
  const logged: Record<string, unknown>[] = [];
  const handler = createHandler({ config, s3: new S3Client({ region: 'us-east-1' }), batch: new BatchClient({ region: 'us-east-1' }), now: () => new Date('2026-12-06T01:02:03Z'), log: (e) => logged.push(e), retry: { sleep: async () => undefined } });
  const put = (key: string, body: unknown) => bucket.objects.set(key, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  return { bucket, batch, handler, put, logged };
}

afterEach(() => {
  mockClient(S3Client).restore();
  mockClient(BatchClient).restore();
});

test('a valid request submits one job named after its run, with the request and run as parameters, and records it', async () => {
  const { bucket, batch, handler, put, logged } = setup();
  put('requests/team a/small.json', spec);
  const { records } = await handler(event('requests/team a/small.json'));
  expect(records).toEqual([{ key: 'requests/team a/small.json', outcome: 'submitted', id, jobId: 'job-1' }]);
  const calls = batch.commandCalls(SubmitJobCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0].args[0].input).toEqual({
    jobName: jobNameFor(id),
    jobQueue: config.jobQueue,
    jobDefinition: config.jobDefinition,
    parameters: { request: 'requests/team a/small.json', run: id },
    tags: { 'carve:run': id },
    propagateTags: true,
  });
  expect(bucket.json(statusKey(id))).toEqual({
    format: 1, id, state: 'submitted', request: 'requests/team a/small.json', requestVersion: '0A1', updated: '2026-12-06T01:02:03.000Z',
    job: { name: jobNameFor(id), queue: config.jobQueue, id: 'job-1' },
  });
  expect(logged).toEqual(records);
});

test('the same event twice, the same spec as YAML under another key, and two concurrent deliveries submit one job', async () => {
  const { batch, handler, put } = setup();
  put('requests/a.json', spec);
  put('requests/b.yaml', 'name: small\nsearch:\n  budget: 8\ntraining:\n  steps: 20\n');
  const [first, concurrent] = await Promise.all([handler(event('requests/a.json')), handler(event('requests/a.json'))]);
  expect([first.records[0].outcome, concurrent.records[0].outcome].sort()).toEqual(['duplicate', 'submitted']);
  expect((await handler(event('requests/a.json'))).records[0]).toMatchObject({ outcome: 'duplicate', id, jobId: 'job-1' });
  expect((await handler(event('requests/b.yaml'))).records[0]).toMatchObject({ outcome: 'duplicate', id, reason: `run ${id} is submitted (requested by requests/a.json)` });
  expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(1);
});

test('an invalid spec is rejected with every problem and its path, and no job', async () => {
  const { bucket, batch, handler, put } = setup();
  put('requests/bad.json', { seed: -1, training: { steps: 0 }, model: { checkpoint: '/home/me/model' } });
  const { records } = await handler(event('requests/bad.json'));
  expect(records[0].outcome).toBe('rejected');
  const status = bucket.json(statusKey(records[0].id!)) as { state: string; problems: string[] };
  expect(status.state).toBe('rejected');
  expect(status.problems).toEqual([expect.stringMatching(/^seed: /), expect.stringMatching(/^training\.steps: /)]);
  // A valid spec whose files are not in the bucket is rejected too, naming the field.
  put('requests/local.json', { model: { checkpoint: '/home/me/model' } });
  const local = (await handler(event('requests/local.json'))).records[0];
  expect(local.outcome).toBe('rejected');
  expect(local.reason).toMatch(/^model\.checkpoint: '\/home\/me\/model' is not in the catalog bucket/);
  put('requests/garbage.json', '{ not json');
  expect((await handler(event('requests/garbage.json'))).records[0].reason).toMatch(/^not valid JSON: /);
  expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
});

test('an oversized request is rejected from the size in the event, without reading it', async () => {
  const { bucket, batch, handler } = setup();
  const { records } = await handler(event('requests/huge.json', { size: 10 * 1024 * 1024 }));
  expect(records[0]).toMatchObject({
    outcome: 'rejected',
    code: 'request_too_large',
    reason: '(request): too large (413): 10485760 bytes, over the limit of 4096 bytes (CARVE_MAX_REQUEST_BYTES); a request is a run spec of a few kilobytes',
  });
  expect(bucket.json(statusKey(records[0].id!))).toMatchObject({ state: 'rejected', problems: [records[0].reason] });
  expect(bucket.mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
});

test('a request larger than its event said (replaced since) is refused from the size S3 answers, before it is parsed', async () => {
  const { batch, handler, put } = setup();
  // Not a spec at all: had it been parsed, it would be rejected as invalid YAML, not as too large.
  put('requests/swapped.yaml', `[${'x'.repeat(10 * 1024 * 1024)}`);
  const { records } = await handler(event('requests/swapped.yaml', { size: 100 }));
  expect(records[0]).toMatchObject({ outcome: 'rejected', code: 'request_too_large', reason: expect.stringMatching(/^\(request\): too large \(413\): 10485761 bytes, over the limit of 4096 bytes/) });
  // Exactly the limit is allowed.
  put('requests/limit.json', JSON.stringify({ ...spec, name: 'x'.repeat(4096 - JSON.stringify({ ...spec, name: '' }).length) }));
  expect((await handler(event('requests/limit.json'))).records[0].outcome).toBe('submitted');
  expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(1);
});

test('the limit is MAX_REQUEST_BYTES, 256 KiB, unless CARVE_MAX_REQUEST_BYTES sets another', () => {
  const env = { CARVE_S3_BUCKET: BUCKET, CARVE_JOB_QUEUE: 'q', CARVE_JOB_DEFINITION: 'd' };
  expect(MAX_REQUEST_BYTES).toBe(256 * 1024);
  expect(configFromEnv(env).maxRequestBytes).toBe(MAX_REQUEST_BYTES);
  expect(configFromEnv({ ...env, CARVE_MAX_REQUEST_BYTES: '4096' }).maxRequestBytes).toBe(4096);
});

describe.each(HOSTILE_NAMES)('a request key with %s', (_what, name) => {
  test('is rejected unread, with no job, and its status is written only under its rejected id', async () => {
    const { bucket, batch, handler, put } = setup();
    const key = `requests/${name}`;
    put(key, spec);
    const { records } = await handler(event(key));
    expect(records[0]).toMatchObject({ outcome: 'rejected', code: 'invalid_request', id: expect.stringMatching(/^rejected-[0-9a-f]{16}$/), reason: expect.stringMatching(/^\(request key\): object key "requests\/.*" [^\n]*$/) });
    expect(bucket.mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
    expect([...bucket.objects.keys()].filter((k) => k !== key)).toEqual([statusKey(records[0].id!)]);
  });
});

test('a key that is not URL-encoded as S3 sends keys is ignored, not thrown (a throw would make Lambda retry it)', async () => {
  const { batch, handler } = setup();
  const bad = event('requests/a.json');
  bad.Records[0].s3.object.key = 'requests/%E0%A4%A.json';
  expect((await handler(bad)).records[0]).toMatchObject({ outcome: 'ignored', key: 'requests/%E0%A4%A.json' });
  expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
});

test('a throttled submission is retried until it goes through; a refused one is recorded as failed, without throwing', async () => {
  const { bucket, batch, handler, put } = setup();
  const throttled = Object.assign(new Error('Too many requests'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
  batch.on(SubmitJobCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ jobId: 'job-after-throttling', jobName: 'x', jobArn: 'y' });
  put('requests/a.json', spec);
  expect((await handler(event('requests/a.json'))).records[0]).toMatchObject({ outcome: 'submitted', jobId: 'job-after-throttling' });
  expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(3);

  const other = { ...spec, seed: 1 };
  const otherId = cloudRunId(parseRunSpec(other));
  batch.on(SubmitJobCommand).rejects(Object.assign(new Error('jobQueue is not valid'), { name: 'ClientException', $metadata: { httpStatusCode: 400 } }));
  put('requests/b.json', other);
  expect((await handler(event('requests/b.json', { sequencer: '0B1' }))).records[0]).toMatchObject({ outcome: 'failed', id: otherId });
  expect(bucket.json(statusKey(otherId))).toMatchObject({ state: 'failed', error: 'could not submit the job: ClientException: jobQueue is not valid' });
  // The same event delivered again does not resubmit; putting the request again does.
  batch.on(SubmitJobCommand).resolves({ jobId: 'job-again', jobName: 'x', jobArn: 'y' });
  expect((await handler(event('requests/b.json', { sequencer: '0B1' }))).records[0].outcome).toBe('duplicate');
  expect((await handler(event('requests/b.json', { sequencer: '0B2' }))).records[0]).toMatchObject({ outcome: 'submitted', jobId: 'job-again' });
});

test('test events, other prefixes, other buckets and other event kinds are ignored', async () => {
  const { batch, handler, put } = setup();
  put('runs/x/status.json', spec);
  expect(await handler({ Event: 's3:TestEvent' })).toEqual({ records: [] });
  expect((await handler(event('runs/x/status.json'))).records[0].outcome).toBe('ignored');
  expect((await handler(event('requests/a.json', { bucket: 'elsewhere' }))).records[0].outcome).toBe('ignored');
  expect((await handler(event('requests/a.json', { eventName: 'ObjectRemoved:Delete' }))).records[0].outcome).toBe('ignored');
  expect((await handler(event('requests/gone.json'))).records[0]).toMatchObject({ outcome: 'ignored', reason: 'the request was removed before it could be read' });
  expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
});
