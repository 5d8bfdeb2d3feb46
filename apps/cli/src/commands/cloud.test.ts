import { BatchClient, DescribeJobsCommand, JobDetail, TerminateJobCommand } from '@aws-sdk/client-batch';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Catalog, CatalogBackend, catalogBackendPlugins } from '@carve/catalog';
import { cloudS3Client, getObject, readRequest, readStatus, requestKeyFor, StatusRecord, writeStatus } from '@carve/cloud';
import { PluginRegistry } from '@carve/registry';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Server, startS3Server } from '../../../../libs/catalog/src/testing/s3-server';
import { carve } from '../testing/run-cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BUCKET = 'carve-cloud';
const saved = { ...process.env };
const batch = mockClient(BatchClient);
const cloudLogs = mockClient(CloudWatchLogsClient);
let server: S3Server;
let s3: S3Client;
let scratch: string;
/** The options that reach the test bucket. */
let at: string[];

beforeAll(async () => {
  server = await startS3Server(BUCKET);
  for (const name of ['CARVE_S3_BUCKET', 'CARVE_S3_ENDPOINT', 'CARVE_S3_PREFIX', 'AWS_REGION', 'AWS_PROFILE']) delete process.env[name];
  process.env.AWS_ACCESS_KEY_ID = server.env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = server.env.AWS_SECRET_ACCESS_KEY;
  s3 = cloudS3Client({ endpoint: server.endpoint });
  at = ['--bucket', BUCKET, '--endpoint', server.endpoint];
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-cli-cloud-'));
});

afterAll(async () => {
  batch.restore();
  cloudLogs.restore();
  s3.destroy();
  await server.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
  process.env = saved;
});

beforeEach(() => {
  batch.reset();
  cloudLogs.reset();
});

/** Every key of the bucket under `prefix`. */
async function keys(prefix = ''): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

/** A spec file naming a checkpoint folder and two text files of `scratch/<name>/`, with `fields` added. */
function writeSpec(name: string, fields: Record<string, unknown> = {}): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(path.join(dir, 'model'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'model', 'config.json'), `{"model_type":"llama","name":"${name}"}`);
  fs.writeFileSync(path.join(dir, 'model', 'tokenizer.json'), '{"model":{}}');
  fs.writeFileSync(path.join(dir, 'train.txt'), `training text of ${name}\n`);
  const spec = { name, model: { checkpoint: path.join(dir, 'model') }, data: { train: [path.join(dir, 'train.txt')] }, training: { steps: 5 }, ...fields };
  const file = path.join(dir, 'spec.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

const record = (id: string, fields: Partial<StatusRecord> = {}): StatusRecord => ({ format: 1, id, state: 'running', request: requestKeyFor(id), updated: '2026-12-06T01:02:03.000Z', job: { name: `carve-${id}`, id: 'job-7', queue: 'carve-gpu', attempt: 1 }, ...fields });

/** A port on loopback where nothing listens. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('carve cloud submit', () => {
  test('uploads the inputs, puts a valid request under requests/<id>.json and prints only the id; a second submit is the same run', async () => {
    const spec = writeSpec('first');
    const first = await carve(['cloud', 'submit', spec, ...at]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^cloud-[0-9a-f]{16}\n$/);
    const id = first.stdout.trim();
    const key = `requests/${id}.json`;

    const bytes = await getObject(s3, BUCKET, key);
    const reading = readRequest(bytes!, key, BUCKET);
    expect(reading).toMatchObject({ ok: true, id });
    if (!reading.ok) throw new Error('unreachable');
    expect(reading.spec.name).toBe('first');
    expect(reading.spec.training.steps).toBe(5);
    expect(reading.spec.model.checkpoint).toMatch(new RegExp(`^s3://${BUCKET}/inputs/[0-9a-f]{16}/model$`));
    expect(reading.spec.data.train).toEqual([expect.stringMatching(new RegExp(`^s3://${BUCKET}/inputs/[0-9a-f]{16}/train\\.txt$`))]);
    const model = reading.spec.model.checkpoint!.slice(`s3://${BUCKET}/`.length);
    const train = reading.spec.data.train![0].slice(`s3://${BUCKET}/`.length);
    expect(await keys('inputs/')).toEqual([`${model}/config.json`, `${model}/tokenizer.json`, train].sort());
    expect((await getObject(s3, BUCKET, train))?.toString()).toBe('training text of first\n');

    const lines = first.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('uploaded '))).toHaveLength(3);
    expect(lines).toContain('inputs: 3 uploaded, 0 already there');
    expect(lines).toContain(`requested s3://${BUCKET}/${key}: run ${id}, job carve-${id}`);
    expect(lines).toContain(`follow it with: carve cloud status ${id} --bucket ${BUCKET} --endpoint ${server.endpoint}`);

    // Again: the same id, nothing uploaded, the same request.
    const second = await carve(['cloud', 'submit', spec, ...at]);
    expect([second.code, second.stdout]).toEqual([0, `${id}\n`]);
    expect(second.stderr).toContain('inputs: 0 uploaded, 3 already there');
    expect((await getObject(s3, BUCKET, key))?.equals(bytes!)).toBe(true);

    // A run that is live (or succeeded) is not requested again.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    await writeStatus(s3, BUCKET, record(id, { state: 'running', stage: 'train' }));
    const live = await carve(['cloud', 'submit', spec, ...at]);
    expect([live.code, live.stdout]).toEqual([0, `${id}\n`]);
    expect(live.stderr).toContain(`run ${id} is running already, job carve-${id} (job-7); not requested again`);
    expect(await getObject(s3, BUCKET, key)).toBeUndefined();

    // A failed one is.
    await writeStatus(s3, BUCKET, record(id, { state: 'failed', error: 'out of memory' }));
    const again = await carve(['cloud', 'submit', spec, ...at]);
    expect([again.code, again.stdout]).toEqual([0, `${id}\n`]);
    expect(again.stderr).toContain(`run ${id} was failed; requesting it again`);
    expect((await getObject(s3, BUCKET, key))?.equals(bytes!)).toBe(true);
  });

  test('--dry-run prints the id a submit gives and what it would upload, sending nothing', async () => {
    const spec = writeSpec('dry');
    const before = await keys();
    const dry = await carve(['cloud', 'submit', spec, ...at, '--dry-run']);
    expect(dry.code).toBe(0);
    const id = dry.stdout.trim();
    expect(dry.stderr).toMatch(new RegExp(`^model\\.checkpoint: .*model → s3://${BUCKET}/inputs/[0-9a-f]{16}/model \\(folder, 2 files, \\d+ B\\)$`, 'm'));
    expect(dry.stderr).toContain(`would put s3://${BUCKET}/requests/${id}.json (run ${id}, job carve-${id}); nothing was sent`);
    expect(await keys()).toEqual(before);
    // It needs no server at all.
    expect((await carve(['cloud', 'submit', spec, '--bucket', BUCKET, '--endpoint', `http://127.0.0.1:${await closedPort()}`, '--dry-run'])).stdout).toBe(`${id}\n`);
    expect((await carve(['cloud', 'submit', spec, ...at])).stdout).toBe(`${id}\n`);
  });

  test('a bad spec, a missing input or a file outside the bucket exits 2 with every problem and uploads nothing', async () => {
    const before = await keys();
    const bad = path.join(scratch, 'bad.yaml');
    fs.writeFileSync(bad, 'seed: -1\ntraining:\n  steps: 0\ncolour: red\n');
    const invalid = await carve(['cloud', 'submit', bad, ...at]);
    expect([invalid.code, invalid.stdout]).toEqual([2, '']);
    expect(invalid.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(invalid.stderr).toMatch(/^carve: .*bad\.yaml: 3 problems: /);
    for (const field of ['seed:', 'training.steps:', "(top level): Unrecognized key: \"colour\""]) expect(invalid.stderr).toContain(field);

    const missing = writeSpec('missing', { data: { train: [path.join(scratch, 'missing', 'nope.txt')], validation: [path.join(scratch, 'missing', 'train.txt')] } });
    const absent = await carve(['cloud', 'submit', missing, ...at]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toBe(`carve: run spec inputs: data.train.0: '${path.join(scratch, 'missing', 'nope.txt')}': no such file or folder\n`);

    const elsewhere = writeSpec('elsewhere', { data: { train: ['s3://another-bucket/inputs/x/train.txt'] } });
    const outside = await carve(['cloud', 'submit', elsewhere, ...at]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain(`not a valid cloud request: data.train.0: 's3://another-bucket/inputs/x/train.txt' is not in the catalog bucket`);
    expect(await keys()).toEqual(before);

    const noBucket = await carve(['cloud', 'submit', elsewhere]);
    expect([noBucket.code, noBucket.stderr]).toEqual([2, 'carve: --bucket: give the catalog bucket (or set CARVE_S3_BUCKET)\n']);
  });

  test('an unreachable bucket is one line naming it and what to check', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const run = await carve(['cloud', 'submit', writeSpec('unreachable'), '--bucket', BUCKET, '--endpoint', endpoint]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^carve: s3://${BUCKET} at ${endpoint.replace(/\./g, '\\.')}: read the status of run cloud-[0-9a-f]{16}: cannot connect to S3 \\(ECONNREFUSED\\) after \\d attempts; check the endpoint or region, the network, and that the server is running\\n$`));
  });
});

describe('carve cloud status', () => {
  test('shows the status record, then the catalog manifest once there is one, as text or JSON', async () => {
    const id = 'cloud-00000000000000aa';
    await writeStatus(s3, BUCKET, record(id, { stage: 'train', job: { name: `carve-${id}`, id: 'job-7', queue: 'carve-gpu', attempt: 2 }, device: { provider: 'cuda' } }));
    const shown = await carve(['cloud', 'status', id, ...at]);
    expect([shown.code, shown.stderr]).toEqual([0, '']);
    expect(shown.stdout.split('\n')).toEqual([
      `run      ${id}`,
      'state    running',
      'stage    train',
      `job      carve-${id} (id job-7, attempt 2, queue carve-gpu)`,
      'device   {"provider":"cuda"}',
      'updated  2026-12-06T01:02:03.000Z',
      `request  requests/${id}.json`,
      '',
    ]);
    expect(JSON.parse((await carve(['cloud', 'status', id, ...at, '--json'])).stdout)).toEqual({ id, status: await readStatus(s3, BUCKET, id), catalog: null });

    const registry = new PluginRegistry();
    registry.register(catalogBackendPlugins);
    const catalog = new Catalog(registry.create<CatalogBackend>('catalog-backend', 's3', {}, { env: server.env }));
    const created = '2026-12-06T01:00:00.000Z';
    await catalog.writeManifest(id, { format: 1, id, status: 'running', created, updated: created, spec: {}, seeds: {}, versions: {}, stages: [{ name: 'importance', status: 'complete', seconds: 3.25 }, { name: 'train', status: 'running' }] });
    const both = await carve(['cloud', 'status', id, ...at]);
    expect(both.stdout).toContain(`catalog  running (created ${created}, updated ${created})\nstages   importance complete 3.3 s\n         train running\n`);
    const json = JSON.parse((await carve(['cloud', 'status', id, ...at, '--json'])).stdout);
    expect(json.catalog).toMatchObject({ status: 'running', stages: [{ name: 'importance', status: 'complete', seconds: 3.25 }, { name: 'train', status: 'running' }] });
  });

  test('a rejected request shows every problem; an unknown run or a bad id exits 2 naming it', async () => {
    const id = 'rejected-00000000000000bb';
    await writeStatus(s3, BUCKET, { format: 1, id, state: 'rejected', request: 'requests/x.json', updated: '2026-12-06T01:02:03.000Z', problems: ['seed: too small', 'training.steps: too small'] });
    expect((await carve(['cloud', 'status', id, ...at])).stdout).toContain('problems  seed: too small\n          training.steps: too small\n');
    const unknown = await carve(['cloud', 'status', 'cloud-ffffffffffffffff', ...at]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^carve: no cloud run 'cloud-ffffffffffffffff' in s3:\/\/carve-cloud at .*\n$/);
    const bad = await carve(['cloud', 'status', '../x', ...at]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('run id "../x" is not valid');
  });
});

/** A Batch job as DescribeJobs describes it. */
const job = (fields: Partial<JobDetail>): JobDetail => ({ jobName: 'carve-cloud-00000000000000cc', jobId: 'job-7', jobQueue: 'carve-gpu', status: 'RUNNING', startedAt: 1, jobDefinition: 'carve-worker:1', ...fields });

describe('carve cloud logs', () => {
  const id = 'cloud-00000000000000cc';
  beforeAll(() => writeStatus(s3, BUCKET, record(id)));

  test("prints every attempt's log stream from its start, following the tokens until they repeat", async () => {
    batch.on(DescribeJobsCommand).resolves({
      jobs: [
        job({
          attempts: [{ container: { logStreamName: 'carve-worker/default/first' } }],
          container: { logStreamName: 'carve-worker/default/second', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/carve/worker' } } },
        }),
      ],
    });
    const pages: Record<string, { events: { message: string }[]; next: string }> = {
      'carve-worker/default/first:': { events: [{ message: 'importance: running' }, { message: 'train: running\n' }], next: 'f/1' },
      'carve-worker/default/first:f/1': { events: [{ message: 'killed: spot instance reclaimed' }], next: 'f/2' },
      'carve-worker/default/first:f/2': { events: [], next: 'f/2' },
      'carve-worker/default/second:': { events: [{ message: 'train: done already, skipped' }], next: 's/1' },
      'carve-worker/default/second:s/1': { events: [], next: 's/1' },
    };
    cloudLogs.on(GetLogEventsCommand).callsFake((input: { logStreamName: string; nextToken?: string }) => {
      const page = pages[`${input.logStreamName}:${input.nextToken ?? ''}`];
      return { events: page.events, nextForwardToken: page.next, nextBackwardToken: 'b' };
    });

    const run = await carve(['cloud', 'logs', id, ...at]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('importance: running\ntrain: running\nkilled: spot instance reclaimed\ntrain: done already, skipped\n');
    expect(run.stderr).toBe('/carve/worker carve-worker/default/first (attempt 1 of 2)\n/carve/worker carve-worker/default/second (attempt 2 of 2)\n');
    expect(batch.commandCalls(DescribeJobsCommand).map((c) => c.args[0].input)).toEqual([{ jobs: ['job-7'] }]);
    const stream = (logStreamName: string, nextToken?: string) => ({ logGroupName: '/carve/worker', logStreamName, startFromHead: true, ...(nextToken ? { nextToken } : {}) });
    expect(cloudLogs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input)).toEqual([
      stream('carve-worker/default/first'),
      stream('carve-worker/default/first', 'f/1'),
      stream('carve-worker/default/first', 'f/2'),
      stream('carve-worker/default/second'),
      stream('carve-worker/default/second', 's/1'),
    ]);
  });

  test("reads Batch's default log group when the job names none", async () => {
    batch.on(DescribeJobsCommand).resolves({ jobs: [job({ container: { logStreamName: 'carve-worker/default/only' } })] });
    cloudLogs.on(GetLogEventsCommand).resolves({ events: [{ message: 'hello', timestamp: 1 }], nextForwardToken: 'same' });
    cloudLogs.on(GetLogEventsCommand, { nextToken: 'same' }).resolves({ events: [], nextForwardToken: 'same' });
    const run = await carve(['cloud', 'logs', id, ...at, '--region', 'eu-west-1']);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, 'hello\n', '/aws/batch/job carve-worker/default/only\n']);
    expect(cloudLogs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input.logGroupName)).toEqual(['/aws/batch/job', '/aws/batch/job']);
  });

  test('a run without a job, a job without logs yet, a stream that is not there and a denied call each exit 2 with one line', async () => {
    const waiting = 'cloud-00000000000000cd';
    await writeStatus(s3, BUCKET, record(waiting, { state: 'submitted', job: { name: `carve-${waiting}` } }));
    const noJob = await carve(['cloud', 'logs', waiting, ...at]);
    expect([noJob.code, noJob.stderr]).toEqual([2, `carve: run ${waiting} has no Batch job yet (state submitted); its logs appear once the job starts\n`]);
    expect(batch.commandCalls(DescribeJobsCommand)).toHaveLength(0);

    batch.on(DescribeJobsCommand).resolves({ jobs: [job({ status: 'RUNNABLE', container: {} })] });
    const queued = await carve(['cloud', 'logs', id, ...at]);
    expect([queued.code, queued.stderr]).toEqual([2, 'carve: job carve-cloud-00000000000000cc (job-7) is RUNNABLE and has no logs yet; they appear once it is RUNNING\n']);

    batch.on(DescribeJobsCommand).resolves({ jobs: [] });
    expect((await carve(['cloud', 'logs', id, ...at])).stderr).toMatch(/^carve: Batch \(us-east-1\) has no job job-7 \(run cloud-00000000000000cc\); .*check --region\n$/);

    batch.on(DescribeJobsCommand).resolves({ jobs: [job({ container: { logStreamName: 'gone' } })] });
    cloudLogs.on(GetLogEventsCommand).rejects(Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }));
    expect((await carve(['cloud', 'logs', id, ...at])).stderr).toBe('/aws/batch/job gone\ncarve: CloudWatch Logs (us-east-1): no log stream gone in /aws/batch/job: the job has written no logs there (yet), or they expired\n');

    batch.on(DescribeJobsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403, attempts: 1 } }));
    const denied = await carve(['cloud', 'logs', id, ...at]);
    expect([denied.code, denied.stderr]).toEqual([2, 'carve: Batch (us-east-1): describe job job-7: access denied (AccessDeniedException, HTTP 403); check that the credentials may use Batch\n']);
  });
});

describe('carve cloud cancel', () => {
  test('terminates the job with the reason and records the run as cancelled, keeping its job', async () => {
    const id = 'cloud-00000000000000dd';
    const before = record(id, { stage: 'search', job: { name: `carve-${id}`, id: 'job-9', queue: 'carve-gpu', attempt: 1 } });
    await writeStatus(s3, BUCKET, before);
    batch.on(TerminateJobCommand).resolves({});
    const run = await carve(['cloud', 'cancel', id, ...at, '--reason', 'no longer needed']);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, `cancelled ${id}: job carve-${id} (job-9), which was running at stage search\n`, '']);
    expect(batch.commandCalls(TerminateJobCommand).map((c) => c.args[0].input)).toEqual([{ jobId: 'job-9', reason: 'no longer needed' }]);
    const after = await readStatus(s3, BUCKET, id);
    expect(after).toEqual({ ...before, state: 'cancelled', error: 'cancelled: no longer needed', updated: expect.any(String) });
    expect(Date.parse(after!.updated)).toBeGreaterThan(Date.parse(before.updated));

    // Now final: nothing more to cancel, and Batch is not called.
    batch.reset();
    const again = await carve(['cloud', 'cancel', id, ...at]);
    expect([again.code, again.stderr]).toEqual([2, `carve: run ${id} is cancelled already; there is nothing to cancel\n`]);
    expect(batch.commandCalls(TerminateJobCommand)).toHaveLength(0);
  });

  test('the default reason; a finished or unknown run exits 2 saying why', async () => {
    const id = 'cloud-00000000000000de';
    await writeStatus(s3, BUCKET, record(id, { state: 'submitted' }));
    batch.on(TerminateJobCommand).resolves({});
    expect((await carve(['cloud', 'cancel', id, ...at])).code).toBe(0);
    expect(batch.commandCalls(TerminateJobCommand)[0].args[0].input).toEqual({ jobId: 'job-7', reason: 'cancelled with carve cloud cancel' });

    const waiting = 'cloud-00000000000000e0';
    await writeStatus(s3, BUCKET, record(waiting, { state: 'submitted', job: { name: `carve-${waiting}` } }));
    expect((await carve(['cloud', 'cancel', waiting, ...at])).stderr).toBe(`carve: run ${waiting} has no Batch job yet (state submitted); try again in a moment, once carve cloud status shows its job id\n`);

    const done = 'cloud-00000000000000df';
    await writeStatus(s3, BUCKET, record(done, { state: 'succeeded' }));
    expect((await carve(['cloud', 'cancel', done, ...at])).stderr).toBe(`carve: run ${done} is succeeded already; there is nothing to cancel\n`);
    const unknown = await carve(['cloud', 'cancel', 'cloud-0000000000000000', ...at]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no cloud run 'cloud-0000000000000000'");
    expect(batch.commandCalls(TerminateJobCommand)).toHaveLength(1);
  });
});
