import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cloudRunId, cloudS3Client, putObject, readStatus, WORKER_EXIT } from '@carve/cloud';
import { parseRunSpec } from '@carve/spec';
import { S3Server, startS3Server } from '../../../libs/catalog/src/testing/s3-server';
import { runWorker } from './worker';

const BUCKET = 'carve-worker';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-worker-'));
let server: S3Server;

beforeAll(async () => {
  server = await startS3Server(BUCKET);
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const env = () => ({ ...server.env, AWS_REGION: 'us-east-1', AWS_BATCH_JOB_ID: 'job-7', AWS_BATCH_JOB_ATTEMPT: '2' });

/** Runs the worker, returning its exit code and what it logged. */
async function work(request: string, run: string, given: Record<string, string> = env()) {
  const lines: string[] = [];
  const code = await runWorker({ request, run, env: given, workDir: tmp, log: (l) => lines.push(l) });
  return { code, lines };
}

test('a request that names a missing input fails as a bad request (never retried), recorded in the status', async () => {
  const s3 = cloudS3Client({ endpoint: server.endpoint }, server.env);
  const spec = parseRunSpec({ model: { checkpoint: `s3://${BUCKET}/inputs/0000/model` } });
  const id = cloudRunId(spec);
  await putObject(s3, BUCKET, 'requests/missing.json', JSON.stringify(spec));
  const { code, lines } = await work('requests/missing.json', id);
  expect(code).toBe(WORKER_EXIT.badRequest);
  const status = await readStatus(s3, BUCKET, id);
  expect(status).toMatchObject({ state: 'failed', stage: 'inputs', request: 'requests/missing.json', job: { name: `carve-${id}`, id: 'job-7', attempt: 2 } });
  expect(status?.error).toMatch(/model\.checkpoint/);
  expect(lines.at(-1)).toMatch(/^carve worker: failed: .*model\.checkpoint/);
});

test('a request changed after it was submitted, or one that is gone, is refused without running anything', async () => {
  const s3 = cloudS3Client({ endpoint: server.endpoint }, server.env);
  await putObject(s3, BUCKET, 'requests/changed.json', JSON.stringify({ seed: 5 }));
  const changed = await work('requests/changed.json', 'cloud-0000000000000000');
  expect(changed.code).toBe(WORKER_EXIT.badRequest);
  expect(changed.lines.at(-1)).toMatch(/is now run cloud-[0-9a-f]{16}, not cloud-0000000000000000: it was changed after it was submitted/);
  const gone = await work('requests/gone.json', 'cloud-1111111111111111');
  expect(gone.code).toBe(WORKER_EXIT.badRequest);
  expect((await readStatus(s3, BUCKET, 'cloud-1111111111111111'))?.error).toMatch(/requests\/gone\.json does not exist/);
});

test('without its bucket the worker stops at once; an unreachable bucket is a transient failure, retried', async () => {
  expect((await work('requests/x.json', 'x', {})).code).toBe(WORKER_EXIT.badRequest);
  const unreachable = await work('requests/x.json', 'x', { CARVE_S3_BUCKET: BUCKET, CARVE_S3_ENDPOINT: 'http://127.0.0.1:1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
  expect(unreachable.code).toBe(WORKER_EXIT.transient);
  expect(unreachable.lines.at(-1)).toMatch(/transient failure, to be retried/);
});
