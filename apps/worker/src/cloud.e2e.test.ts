/**
 * The whole cloud path on this machine: a request put into a real S3-compatible server
 * (s3rver), the trigger's bundle (the very file the Lambda runs) invoked with the S3 event,
 * a local stand-in for Batch that runs the job definition's command as a child process, the
 * worker killed mid-training and started again as Batch's retry would (on a fresh work
 * folder), and the finished run read back with `carve runs list/show --s3-bucket`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { cloudS3Client, getObject, putObject, readStatus, statusKey, uploadInputs, WORKER_COMMAND } from '@carve/cloud';
import { embeddedCorpus, MARKERS, StageMarker } from '@carve/pipeline';
import { parseRunSpec } from '@carve/spec';
import { S3Server, startS3Server } from '../../../libs/catalog/src/testing/s3-server';
import { BatchStandIn, startBatchStandIn } from './testing/batch-stand-in';

const repo = path.resolve(__dirname, '../../..');
const bundle = path.join(repo, 'apps/trigger/dist/bundle/index.js');
const worker = path.join(repo, 'apps/worker/dist/main.js');
const cli = path.join(repo, 'apps/cli/bin/carve.js');
const BUCKET = 'carve-e2e';
const REQUEST = 'requests/team/e2e.json';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-cloud-e2e-'));
let server: S3Server;
let batch: BatchStandIn;
let env: Record<string, string>;
const saved = { ...process.env };

beforeAll(async () => {
  for (const built of [bundle, worker, cli]) if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  server = await startS3Server(BUCKET);
  env = { PATH: process.env.PATH ?? '', HOME: os.homedir(), ...server.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  batch = await startBatchStandIn({ command: WORKER_COMMAND, cwd: repo, env, scratch: tmp });
});

afterAll(async () => {
  process.env = saved;
  await batch?.stop();
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** An S3 ObjectCreated event as the bucket notification delivers it. */
const created = (key: string, size: number, sequencer: string) => ({
  Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key: key.split('/').map(encodeURIComponent).join('/'), size, sequencer } } }],
});

const marker = async (s3: ReturnType<typeof cloudS3Client>, id: string, stage: string) => {
  const bytes = await getObject(s3, BUCKET, `runs/${id}/${MARKERS}/${stage}.json`);
  return bytes && (JSON.parse(bytes.toString('utf8')) as StageMarker);
};

test('a request becomes one Batch job whose run, interrupted mid-training and retried, completes in the S3 catalog without repeating finished stages', async () => {
  const s3 = cloudS3Client({ endpoint: server.endpoint }, env);
  // A small run on the embedded model; its text files go to the bucket as carve cloud submit sends them.
  const corpus = embeddedCorpus();
  const local = parseRunSpec({
    data: { train: corpus.train.slice(-3), validation: corpus.validation.slice(-1), calibration: corpus.train.slice(-1) },
    importance: { samples: 8, seqLen: 64 },
    training: { steps: 80, batchSize: 2, seqLen: 64 },
    search: { budget: 6, strategy: { name: 'nsga2', options: { population: 4 } }, objectives: [{ name: 'val-loss', options: { seqLen: 64, windows: 4 } }, { name: 'params' }] },
    latency: { repeats: 2, warmup: 1, seqLen: 16 },
    export: { max: 2 },
  });
  const { spec } = await uploadInputs(s3, BUCKET, local);
  const body = JSON.stringify(spec);
  await putObject(s3, BUCKET, REQUEST, body);

  // The trigger, as Lambda runs it: the bundle alone, configured by its environment.
  Object.assign(process.env, env, { CARVE_JOB_QUEUE: 'arn:aws:batch:us-east-1:000000000000:job-queue/carve', CARVE_JOB_DEFINITION: 'arn:aws:batch:us-east-1:000000000000:job-definition/carve-worker:1', CARVE_BATCH_ENDPOINT: batch.endpoint });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const trigger = require(bundle) as { handler: (e: unknown) => Promise<{ records: { outcome: string; id?: string; jobId?: string }[] }> };
  const [submitted] = (await trigger.handler(created(REQUEST, body.length, '01'))).records;
  expect(submitted).toMatchObject({ outcome: 'submitted', jobId: 'job-1' });
  const id = submitted.id!;
  expect(batch.jobs).toHaveLength(1);
  const [job] = batch.jobs;
  expect(job.parameters).toEqual({ request: REQUEST, run: id });
  // A repeated delivery of the event submits nothing more.
  expect((await trigger.handler(created(REQUEST, body.length, '01'))).records[0]).toMatchObject({ outcome: 'duplicate', id, jobId: 'job-1' });
  expect(batch.jobs).toHaveLength(1);

  // Attempt 1 is killed once training has written a checkpoint and the stages before it are published (a spot interruption).
  const first = job.attempts[0];
  const checkpoint = path.join(first.workDir, id, 'catalog', 'runs', id, 'train', 'checkpoints', 'latest.json');
  while (!(fs.existsSync(checkpoint) && (await marker(s3, id, 'grid'))) && first.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  expect([first.child.exitCode, first.output()]).toEqual([null, expect.stringContaining('train started')]);
  first.child.kill('SIGKILL');
  await first.exited;
  expect(await readStatus(s3, BUCKET, id)).toMatchObject({ state: 'running', stage: 'train', job: { id: 'job-1', attempt: 1 } });
  const before = await Promise.all(['data', 'importance', 'grid'].map((stage) => marker(s3, id, stage)));
  expect(before.map((m) => m?.stage)).toEqual(['data', 'importance', 'grid']);
  expect(await marker(s3, id, 'train')).toBeUndefined();

  // Attempt 2 starts on an empty work folder and continues from what attempt 1 published.
  const second = batch.retry(job);
  expect(await second.exited).toBe(0);
  const log = second.output();
  for (const stage of ['data', 'importance', 'grid']) expect(log).toContain(`${stage} skipped`);
  for (const stage of ['train', 'search', 'export', 'evaluate', 'report']) expect(log).toContain(`${stage} started`);
  const after = await Promise.all(['data', 'importance', 'grid'].map((stage) => marker(s3, id, stage)));
  expect(after.map((m) => m?.finished)).toEqual(before.map((m) => m?.finished));
  expect(await readStatus(s3, BUCKET, id)).toMatchObject({ state: 'succeeded', request: REQUEST, job: { name: `carve-${id}`, id: 'job-1', attempt: 2 } });
  expect(JSON.parse((await getObject(s3, BUCKET, statusKey(id)))!.toString('utf8')).error).toBeUndefined();

  // What `carve runs` reads from the bucket.
  // Not execFileSync: the S3 server answers from this process's event loop.
  const carve = async (...args: string[]) => (await promisify(execFile)(process.execPath, [cli, ...args], { env, encoding: 'utf8' })).stdout;
  const list = await carve('runs', 'list', '--s3-bucket', BUCKET);
  expect(list).toMatch(new RegExp(`${id}\\s+complete`));
  const show = await carve('runs', 'show', id, '--s3-bucket', BUCKET);
  for (const file of ['front.json', 'trials.json', 'report.html', 'models/index.json', 'evaluation.json', 'status.json']) expect(show).toContain(file);
});
