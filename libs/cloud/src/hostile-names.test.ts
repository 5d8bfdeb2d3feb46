import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isUserError } from '@carve/errors';
import { parseRunSpec } from '@carve/spec';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { HOSTILE_NAMES } from '../../names/src/testing/hostile-names';
import { downloadInputs, planInputs } from './inputs';
import { requestKeyFor, statusKey } from './protocol';
import { readRequest } from './request';
import { writeStatus } from './store';

/**
 * The cloud protocol's entry points refuse the hostile names before any request is sent: the
 * files and plugins a request names (the trigger rejects it, each problem naming its field),
 * the run ids status and request keys are made from, and the keys the worker downloads to,
 * whether the spec names them or the bucket's listing gives them. Nothing lands outside the
 * work folder.
 */

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BUCKET = 'carve-catalog';
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const notFound = () => Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
let sandbox: string;

beforeEach(() => {
  s3Mock.reset();
  sandbox = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-cloud-hostile-'));
});
afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));
afterAll(() => s3Mock.restore());

/** The error `promise` rejects with (a fulfilment fails the test). */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { code?: string; issues?: string[] },
  );

describe.each(HOSTILE_NAMES)('%s', (_what, name) => {
  test.each([
    ['a file URI', { model: { checkpoint: `s3://${BUCKET}/inputs/0123456789abcdef/${name}` } }, /^model\.checkpoint: object key "inputs\/0123456789abcdef\/.*/],
    ['a plugin', { plugins: [name] }, /^plugins\.0: /],
  ])('in %s of a request: the request is rejected, naming the field', (_where, spec, problem) => {
    const reading = readRequest(Buffer.from(JSON.stringify(spec)), 'requests/hostile.json', BUCKET);
    expect(reading.ok).toBe(false);
    if (reading.ok) throw new Error('unreachable');
    expect([reading.code, reading.problems]).toEqual(['invalid_request', [expect.stringMatching(problem)]]);
    expect(reading.problems[0]).not.toMatch(/[\p{Cc}\u2028\u202e]/u);
  });

  test('as a run id: no status or request key is made from it, and no status is written', async () => {
    for (const key of [() => statusKey(name), () => requestKeyFor(name)]) {
      expect(key).toThrow(/^run id ".*" (\(\d+ characters\) )?is not valid: /);
    }
    const e = await rejection(writeStatus(s3, BUCKET, { format: 1, id: name || '-', state: 'submitted', request: 'requests/x.json', updated: '2026-12-06T00:00:00Z' }));
    expect([isUserError(e), e.code]).toEqual([true, 'invalid_name']);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('as the key of an input, named by the spec or listed by the bucket: the worker downloads nothing', async () => {
    const work = nodePath.join(sandbox, 'work');
    const named = parseRunSpec({ data: { train: [`s3://${BUCKET}/inputs/0123456789abcdef/${name}`] } });
    const refused = await rejection(downloadInputs(s3, BUCKET, named, work));
    expect([isUserError(refused), refused.message]).toEqual([true, expect.stringMatching(/^data\.train\.0: object key ".*, so it cannot be a local path$/)]);
    expect(s3Mock.calls()).toHaveLength(0);

    // A folder input whose listing holds a hostile key (the bucket is input too); a key ending in '/' is a folder marker, which listings skip.
    if (name === '') return;
    s3Mock.on(HeadObjectCommand).rejects(notFound());
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `inputs/0123456789abcdef/model/${name}`, Size: 1, LastModified: new Date(0) }] });
    const folder = parseRunSpec({ model: { checkpoint: `s3://${BUCKET}/inputs/0123456789abcdef/model` } });
    const listed = await rejection(downloadInputs(s3, BUCKET, folder, work));
    expect([isUserError(listed), listed.message]).toEqual([true, expect.stringMatching(/^model\.checkpoint: object key "inputs\/0123456789abcdef\/model\/.*, so it cannot be a local path$/)]);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(fs.readdirSync(sandbox)).toEqual([]);
    expect(fs.existsSync('/tmp/carve-escaped')).toBe(false);
  });
});

test('a local input whose name is no object key is refused when planned, naming the field and the file, before anything is sent', async () => {
  // Names a Linux folder can hold ('/' and NUL cannot be in a file name).
  const names = ['a\\b.txt', '\u202etxt.exe', 'cafe\u0301.txt', '\uff0e\uff0e'];
  for (const name of names) fs.writeFileSync(nodePath.join(sandbox, name), 'text');
  const spec = parseRunSpec({ data: { train: names } });
  const e = await rejection(planInputs(BUCKET, spec, { baseDir: sandbox }));
  expect(isUserError(e)).toBe(true);
  expect(e.issues).toEqual(names.map((_, i) => expect.stringMatching(new RegExp(`^data\\.train\\.${i}: ".*" cannot be uploaded: its object key "inputs/[0-9a-f]{16}/.*; rename it$`))));
  expect(s3Mock.calls()).toHaveLength(0);
});
