import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cloudRunId, cloudS3Client, putObject, readStatus, WORKER_EXIT } from '@carve/cloud';
import { parseRunSpec } from '@carve/spec';
import { S3Server, startS3Server } from '../../../libs/catalog/src/testing/s3-server';
import { HOSTILE_NAMES } from '../../../libs/names/src/testing/hostile-names';
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

describe.each(HOSTILE_NAMES)('a job parameter with %s', (_what, name) => {
  // A bucket where nothing listens: any request sent would end as a transient failure (75), not as a bad request.
  const unreachable = { CARVE_S3_BUCKET: BUCKET, CARVE_S3_ENDPOINT: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' };

  test('as --run or --request is a bad request, refused before anything is read or written', async () => {
    const before = fs.readdirSync(tmp);
    const run = await work('requests/a.json', name, unreachable);
    expect(run).toEqual({ code: WORKER_EXIT.badRequest, lines: [expect.stringMatching(/^carve worker: --run: run id ".*" [^\n]*$/)] });
    const request = await work(`requests/${name}`, 'cloud-0123456789abcdef', unreachable);
    expect(request).toEqual({ code: WORKER_EXIT.badRequest, lines: [expect.stringMatching(/^carve worker: --request: object key "requests\/.*" [^\n]*$/)] });
    expect(fs.readdirSync(tmp)).toEqual(before);
    expect(fs.existsSync('/tmp/carve-escaped')).toBe(false);
  });
});

test('a request key outside requests/ is a bad request', async () => {
  const { code, lines } = await work('runs/cloud-0123456789abcdef/manifest.json', 'cloud-0123456789abcdef', { CARVE_S3_BUCKET: BUCKET, CARVE_S3_ENDPOINT: 'http://127.0.0.1:9' });
  expect([code, lines]).toEqual([WORKER_EXIT.badRequest, ["carve worker: --request: 'runs/cloud-0123456789abcdef/manifest.json' is not under requests/, where requests are put"]]);
});
