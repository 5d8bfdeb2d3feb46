import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isUserError } from '@carve/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { statusKey } from './protocol';
import { StatusRecord } from './status';
import { Readable } from 'node:stream';
import { cloudS3Client, getObject, getObjectUpTo, putObject, readStatus, writeStatus } from './store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BUCKET = 'carve-catalog';
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const sdkError = (name: string, httpStatusCode: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
const body = (text: string) => ({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from(text)) } }) as never;

const record: StatusRecord = { format: 1, id: 'cloud-0123456789abcdef', state: 'submitted', request: 'requests/cloud-0123456789abcdef.json', updated: '2026-12-06T01:02:03.000Z', job: { name: 'carve-cloud-0123456789abcdef' } };

beforeEach(() => s3Mock.reset());
afterAll(() => s3Mock.restore());

describe('writeStatus', () => {
  test('with create, puts the record only if there is none (If-None-Match: *), and returns false on a 412', async () => {
    s3Mock.on(PutObjectCommand).resolvesOnce({}).rejectsOnce(sdkError('PreconditionFailed', 412));
    expect(await writeStatus(s3, BUCKET, record, { create: true })).toBe(true);
    expect(await writeStatus(s3, BUCKET, record, { create: true })).toBe(false);
    const calls = s3Mock.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0].args[0].input;
    expect(input).toEqual({ Bucket: BUCKET, Key: statusKey(record.id), Body: `${JSON.stringify(record, null, 2)}\n`, ContentType: 'application/json', IfNoneMatch: '*' });
    expect(input.Key).toBe('runs/cloud-0123456789abcdef/status.json');
  });

  test('without create, overwrites unconditionally; a 412 is then an error, as is any other failure', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    expect(await writeStatus(s3, BUCKET, { ...record, state: 'running', stage: 'train' })).toBe(true);
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.IfNoneMatch).toBeUndefined();
    s3Mock.on(PutObjectCommand).rejects(sdkError('PreconditionFailed', 412));
    await expect(putObject(s3, BUCKET, 'x', 'y')).rejects.toThrow('PreconditionFailed');
    s3Mock.on(PutObjectCommand).rejects(sdkError('AccessDenied', 403));
    await expect(writeStatus(s3, BUCKET, record, { create: true })).rejects.toThrow('AccessDenied');
  });

  test('refuses a record that is not one, sending nothing', async () => {
    await expect(writeStatus(s3, BUCKET, { ...record, state: 'paused' as never })).rejects.toThrow();
    await expect(writeStatus(s3, BUCKET, { ...record, extra: 1 } as never)).rejects.toThrow();
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('readStatus and getObject', () => {
  test('a record is read back; a missing one is undefined', async () => {
    s3Mock.on(GetObjectCommand, { Bucket: BUCKET, Key: statusKey(record.id) }).resolves(body(JSON.stringify(record)));
    s3Mock.on(GetObjectCommand, { Bucket: BUCKET, Key: statusKey('cloud-none') }).rejects(sdkError('NoSuchKey', 404));
    expect(await readStatus(s3, BUCKET, record.id)).toEqual(record);
    expect(await readStatus(s3, BUCKET, 'cloud-none')).toBeUndefined();
    expect(await getObject(s3, BUCKET, statusKey('cloud-none'))).toBeUndefined();
  });

  test('a record that is not JSON or not a status record is a UserError naming its object', async () => {
    s3Mock.on(GetObjectCommand, { Key: statusKey('cloud-text') }).resolves(body('not json'));
    s3Mock.on(GetObjectCommand, { Key: statusKey('cloud-bad') }).resolves(body(JSON.stringify({ ...record, id: 'cloud-bad', state: 'paused', format: 2 })));
    const text = await readStatus(s3, BUCKET, 'cloud-text').catch((e: unknown) => e);
    expect(isUserError(text)).toBe(true);
    expect((text as Error).message).toMatch(/^s3:\/\/carve-catalog\/runs\/cloud-text\/status\.json: not valid JSON/);
    const bad = await readStatus(s3, BUCKET, 'cloud-bad').catch((e: unknown) => e);
    expect(isUserError(bad)).toBe(true);
    expect((bad as { issues: string[] }).issues.map((i) => i.split(':')[0]).sort()).toEqual(['format', 'state']);
  });

  test('other failures are thrown as they are', async () => {
    s3Mock.on(GetObjectCommand).rejects(sdkError('AccessDenied', 403));
    await expect(readStatus(s3, BUCKET, record.id)).rejects.toThrow('AccessDenied');
  });
});

describe('getObjectUpTo', () => {
  /** A body of `chunks` chunks of 1 KiB, counting how many were pulled from it. */
  function countingBody(chunks: number) {
    const stream = { pulled: 0, body: undefined as unknown as Readable };
    stream.body = new Readable({
      read() {
        stream.pulled += 1;
        this.push(stream.pulled <= chunks ? Buffer.alloc(1024, 0x61) : null);
      },
    });
    return stream;
  }

  test('an object within the limit is read whole; a missing one is undefined', async () => {
    s3Mock.on(GetObjectCommand, { Key: 'requests/small.json' }).resolves({ ContentLength: 4096, Body: countingBody(4).body } as never);
    s3Mock.on(GetObjectCommand, { Key: 'requests/gone.json' }).rejects(sdkError('NoSuchKey', 404));
    expect(await getObjectUpTo(s3, BUCKET, 'requests/small.json', 4096)).toEqual({ bytes: Buffer.alloc(4096, 0x61) });
    expect(await getObjectUpTo(s3, BUCKET, 'requests/gone.json', 4096)).toBeUndefined();
  });

  test('an object whose size is over the limit is refused without reading its body', async () => {
    const stream = countingBody(10 * 1024);
    s3Mock.on(GetObjectCommand).resolves({ ContentLength: 10 * 1024 * 1024, Body: stream.body } as never);
    expect(await getObjectUpTo(s3, BUCKET, 'requests/huge.json', 4096)).toEqual({ tooLarge: true, size: 10 * 1024 * 1024 });
    expect(stream.pulled).toBe(0);
    expect(stream.body.destroyed).toBe(true);
  });

  test('a body longer than the limit (its size unsaid, or understated) is dropped once past the limit', async () => {
    for (const ContentLength of [undefined, 100]) {
      const stream = countingBody(10 * 1024);
      s3Mock.on(GetObjectCommand).resolves({ ContentLength, Body: stream.body } as never);
      expect(await getObjectUpTo(s3, BUCKET, 'requests/endless.json', 4096)).toEqual({ tooLarge: true });
      // Past 4 KiB by one chunk, plus what the stream buffers ahead (its highWaterMark of 16 KiB).
      expect(stream.pulled).toBeLessThanOrEqual(5 + 16);
      expect(stream.body.destroyed).toBe(true);
    }
  });
});

test('cloudS3Client: region from the option, else AWS_REGION, else us-east-1; an endpoint is addressed by path', async () => {
  expect(await cloudS3Client({ region: 'eu-west-1' }, {}).config.region()).toBe('eu-west-1');
  expect(await cloudS3Client({}, { AWS_REGION: 'ap-south-1' }).config.region()).toBe('ap-south-1');
  expect(await cloudS3Client({}, {}).config.region()).toBe('us-east-1');
  const local = cloudS3Client({ endpoint: 'http://127.0.0.1:9000' }, {});
  expect(local.config.forcePathStyle).toBe(true);
  expect(await local.config.maxAttempts()).toBe(3);
});
