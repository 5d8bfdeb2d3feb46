import { isUserError } from '@carve/errors';
import { PluginRegistry } from '@carve/registry';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { CatalogBackend, CatalogBackendContext } from './backend';
import { Catalog } from './catalog';
import { catalogBackendPlugins } from './plugins';
import { FaultProxy, startFaultProxy } from './testing/fault-proxy';
import { front, manifest, writeRunFolder } from './testing/run-folder';
import { rejection } from './testing/rejection';
import { S3Server, startS3Server } from './testing/s3-server';

// Every fault here is made on the wire by testing/fault-proxy, in front of a real s3rver.
// The waits are a few milliseconds (the defaults are for real servers); no duration is asserted.

const registry = new PluginRegistry();
registry.register(catalogBackendPlugins);
const s3 = (options: object, env: CatalogBackendContext['env']) => registry.create<CatalogBackend>('catalog-backend', 's3', options, { env });

const ID = '20261128-2042-aaaaaa';
const BACKOFF = { baseDelayMs: 2, throttledBaseDelayMs: 5, maxDelayMs: 10, maxElapsedMs: 30_000 };
/** 7 MiB: uploaded in two parts (5 MiB and 2 MiB), after a CreateMultipartUpload. */
const MODEL = Buffer.alloc(7 * 1024 * 1024);
for (let i = 0; i < MODEL.length; i++) MODEL[i] = (i * 31 + (i >> 12)) & 0xff;

let server: S3Server;
let proxy: FaultProxy;
let scratch: string;
let prefix: string;
let tests = 0;

beforeAll(async () => {
  server = await startS3Server();
  proxy = await startFaultProxy(server);
});

afterAll(async () => {
  await proxy.close();
  await server.stop();
});

beforeEach(() => {
  scratch = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-catalog-s3-faults-'));
  prefix = `faults-${++tests}`;
});

afterEach(() => {
  proxy.reset();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** The catalog through the proxy (every fault applies), with `maxAttempts` tries per request. */
const faulty = (options: object = {}) => new Catalog(s3({ prefix, maxAttempts: 3, backoff: BACKOFF, ...options }, proxy.env));
/** The same catalog straight from the server: what the bucket really holds. */
const direct = () => new Catalog(s3({ prefix }, server.env));

function runFolder(files: Record<string, string | Buffer | object> = {}): string {
  return writeRunFolder(nodePath.join(scratch, 'run'), { 'front.json': front(), 'trials.json': Array.from({ length: 50 }, (_, index) => ({ index })), 'models/best.onnx': MODEL, ...files });
}

/** The run's files fetched from the bucket (straight from the server) equal the folder's, byte for byte. */
async function expectStoredAsPublished(folder: string): Promise<void> {
  const fetched = nodePath.join(scratch, 'fetched');
  const { fetched: names } = await direct().fetchRun(ID, fetched);
  expect(names).toEqual(['front.json', 'models/best.onnx', 'trials.json']);
  for (const name of names) expect(fs.readFileSync(nodePath.join(fetched, name)).equals(fs.readFileSync(nodePath.join(folder, name)))).toBe(true);
}

/** A write of the run's file `name` (a whole object, not a part), as the proxy records requests. */
const upload = (name: string) => new RegExp(`^PUT /${server.bucket}/${prefix}/runs/${ID}/${name.replace(/\./g, '\\.')}\\?x-id=PutObject`);

describe('S3 faults, made by a proxy in front of s3rver', () => {
  test('slow responses: every request answered late, the publish and the queries still succeed', async () => {
    proxy.inject({ match: /./, fault: { kind: 'delay', ms: 100 } });
    const folder = runFolder();
    const catalog = faulty();
    expect(await catalog.publishRun(ID, folder, manifest(ID))).toEqual({ uploaded: ['front.json', 'models/best.onnx', 'trials.json'], unchanged: [] });
    expect((await catalog.listRuns()).map((r) => [r.id, r.status])).toEqual([[ID, 'complete']]);
    expect(proxy.requests.every((r) => r.fault === 'delay')).toBe(true);
    await expectStoredAsPublished(folder);
  });

  test('5xx then success: 500s and 503s on a write, a part and a listing are retried, and the run is complete', async () => {
    proxy.inject({ match: upload('front.json'), fault: { kind: 'error', status: 500, code: 'InternalError' }, times: 2 });
    proxy.inject({ match: /partNumber=2/, fault: { kind: 'error', status: 503, code: 'ServiceUnavailable' }, times: 1 });
    proxy.inject({ match: /^GET .*list-type=2/, fault: { kind: 'error', status: 500, code: 'InternalError' }, times: 1 });
    const folder = runFolder();
    const catalog = faulty();
    await catalog.publishRun(ID, folder, manifest(ID));
    expect((await catalog.listRuns()).map((r) => [r.id, r.status])).toEqual([[ID, 'complete']]);
    // Two failures and the success: the SDK's one retry loop, not one inside another.
    expect(proxy.seen(upload('front.json')).map((r) => r.fault ?? 'passed')).toEqual(['error', 'error', 'passed']);
    expect(proxy.seen(/partNumber=2/).map((r) => r.fault ?? 'passed')).toEqual(['error', 'passed']);
    await expectStoredAsPublished(folder);
  });

  test('throttling then success: SlowDown on the manifest, a read and a listing is waited out', async () => {
    proxy.inject({ match: upload('manifest.json'), fault: { kind: 'error', status: 503, code: 'SlowDown' }, times: 2 });
    proxy.inject({ match: /^GET .*list-type=2/, fault: { kind: 'error', status: 503, code: 'SlowDown' }, times: 2 });
    proxy.inject({ match: /^GET .*front\.json/, fault: { kind: 'error', status: 503, code: 'SlowDown' }, times: 1 });
    const folder = runFolder();
    const catalog = faulty();
    await catalog.publishRun(ID, folder, manifest(ID));
    expect((await catalog.listRuns()).map((r) => [r.id, r.status])).toEqual([[ID, 'complete']]);
    expect(await catalog.readJson(ID, 'front.json')).toEqual(front());
    expect(proxy.seen(upload('manifest.json'))).toHaveLength(3);
    await expectStoredAsPublished(folder);
  });

  test('a connection reset before the answer, and uploads cut mid-body (a whole file and a part), are retried', async () => {
    proxy.inject({ match: upload('front.json'), fault: { kind: 'reset' }, times: 1 });
    proxy.inject({ match: upload('trials.json'), fault: { kind: 'cut-upload', afterBytes: 500 }, times: 1 });
    proxy.inject({ match: /partNumber=1/, fault: { kind: 'cut-upload', afterBytes: 1024 * 1024 }, times: 1 });
    const folder = runFolder();
    await faulty().publishRun(ID, folder, manifest(ID));
    expect(proxy.seen(/partNumber=1/).map((r) => r.fault ?? 'passed')).toEqual(['cut-upload', 'passed']);
    await expectStoredAsPublished(folder);
  });

  test('a download cut mid-body is retried until whole (the SDK stops retrying once the answer has begun)', async () => {
    const folder = runFolder();
    await direct().publishRun(ID, folder, manifest(ID));
    proxy.inject({ match: /^GET .*best\.onnx/, fault: { kind: 'cut-download', afterBytes: 1024 * 1024 }, times: 2 });
    proxy.inject({ match: /^GET .*front\.json/, fault: { kind: 'cut-download', afterBytes: 10 }, times: 1 });
    const fetched = nodePath.join(scratch, 'fetched');
    expect(await faulty().fetchRun(ID, fetched)).toEqual({ fetched: ['front.json', 'models/best.onnx', 'trials.json'], unchanged: [] });
    expect(fs.readFileSync(nodePath.join(fetched, 'models', 'best.onnx')).equals(MODEL)).toBe(true);
    expect(proxy.seen(/^GET .*best\.onnx/).map((r) => r.fault ?? 'passed')).toEqual(['cut-download', 'cut-download', 'passed']);
  });

  test('persistent 5xx: one clear error after maxAttempts tries, no manifest; a republish once the server is well completes the run', async () => {
    proxy.inject({ match: upload('trials.json'), fault: { kind: 'error', status: 500, code: 'InternalError' } });
    const folder = runFolder();
    const catalog = faulty();
    const e = await rejection(catalog.publishRun(ID, folder, manifest(ID)));
    expect(isUserError(e)).toBe(true);
    expect([e.code, e.message]).toEqual([
      'catalog_io',
      `catalog s3://${server.bucket}/${prefix} at ${proxy.endpoint}: upload runs/${ID}/trials.json: We encountered an internal error. Please try again. (InternalError, HTTP 500) after 3 attempts; the server is failing or overloaded: try again later`,
    ]);
    expect(proxy.seen(upload('trials.json'))).toHaveLength(3);
    expect(await direct().listRuns()).toEqual([]);
    expect(await direct().backend.exists(`runs/${ID}/manifest.json`)).toBe(false);

    proxy.reset();
    expect(await catalog.publishRun(ID, folder, manifest(ID))).toEqual({ uploaded: ['front.json', 'models/best.onnx', 'trials.json'], unchanged: [] });
    expect((await direct().listRuns()).map((r) => [r.id, r.status])).toEqual([[ID, 'complete']]);
    await expectStoredAsPublished(folder);
  });

  test('a download that always breaks off: one clear error after maxAttempts tries', async () => {
    await direct().publishRun(ID, runFolder(), manifest(ID));
    proxy.inject({ match: /^GET .*front\.json/, fault: { kind: 'cut-download', afterBytes: 10 } });
    const e = await rejection(faulty().readJson(ID, 'front.json'));
    expect(e.message).toMatch(
      new RegExp(`^catalog s3://${server.bucket}/${prefix} at ${proxy.endpoint}: read runs/${ID}/front\\.json: the connection broke off \\((ECONNRESET|aborted)\\) after 3 attempts; check the network and that the server is running, then try again$`),
    );
    expect(proxy.seen(/^GET .*front\.json/)).toHaveLength(3);
  });

  test('the server going away mid-upload: one clear error and no manifest; once it is back, a republish completes the run', async () => {
    // After 1 MiB of the model's first part, every connection drops and new ones are refused.
    proxy.inject({ match: /partNumber=1/, fault: { kind: 'stop', afterBytes: 1024 * 1024 }, times: 1 });
    const folder = runFolder();
    const catalog = faulty();
    const e = await rejection(catalog.publishRun(ID, folder, manifest(ID)));
    expect(isUserError(e)).toBe(true);
    expect(e.message).toMatch(
      new RegExp(`^catalog s3://${server.bucket}/${prefix} at ${proxy.endpoint}: upload runs/${ID}/models/best\\.onnx: (cannot connect \\(ECONNREFUSED\\)|the connection broke off \\([\\w ]+\\)) after \\d attempts?; check [^\\n]*$`),
    );
    expect(proxy.seen(upload('trials.json'))).toEqual([]);
    expect(await direct().listRuns()).toEqual([]);
    expect(await direct().backend.exists(`runs/${ID}/manifest.json`)).toBe(false);

    await proxy.restart();
    expect(await catalog.publishRun(ID, folder, manifest(ID))).toEqual({ uploaded: ['front.json', 'models/best.onnx', 'trials.json'], unchanged: [] });
    expect((await catalog.listRuns()).map((r) => [r.id, r.status])).toEqual([[ID, 'complete']]);
    await expectStoredAsPublished(folder);
  });

  test('a republish whose upload fails leaves the earlier manifest true to what is stored: fetchRun still works', async () => {
    const folder = runFolder();
    const catalog = faulty();
    await catalog.publishRun(ID, folder, manifest(ID, { status: 'running' }));
    writeRunFolder(folder, { 'front.json': front([[1, 1]]), 'trials.json': [{ index: 0 }, { index: 1 }] });
    proxy.inject({ match: upload('trials.json'), fault: { kind: 'error', status: 503, code: 'ServiceUnavailable' } });
    await rejection(catalog.publishRun(ID, folder, manifest(ID)));
    const left = (await direct().showRun(ID)).manifest;
    expect([left.status, left.files.map((f) => f.name)]).toEqual(['running', ['models/best.onnx']]);
    expect((await direct().fetchRun(ID, nodePath.join(scratch, 'fetched'))).fetched).toEqual(['models/best.onnx']);
    proxy.reset();
    expect(await catalog.publishRun(ID, folder, manifest(ID))).toEqual({ uploaded: ['front.json', 'trials.json'], unchanged: ['models/best.onnx'] });
    expect((await direct().listRuns()).map((r) => [r.id, r.status])).toEqual([[ID, 'complete']]);
  });

  test('refusals fail at once, with one request each: access denied, a missing bucket, an unknown access key', async () => {
    proxy.inject({ match: upload('front.json'), fault: { kind: 'error', status: 403, code: 'AccessDenied' } });
    const denied = await rejection(faulty().publishRun(ID, runFolder(), manifest(ID)));
    expect(denied.message).toBe(
      `catalog s3://${server.bucket}/${prefix} at ${proxy.endpoint}: upload runs/${ID}/front.json: access denied (AccessDenied, HTTP 403); check the credentials and that they may use bucket '${server.bucket}'`,
    );
    expect(proxy.seen(upload('front.json'))).toHaveLength(1);

    proxy.reset();
    const missing = await rejection(faulty({ bucket: 'no-such-bucket' }).writeManifest(ID, manifest(ID)));
    expect(missing.message).toBe(`catalog s3://no-such-bucket/${prefix} at ${proxy.endpoint}: write runs/${ID}/manifest.json: bucket 'no-such-bucket' does not exist (NoSuchBucket, HTTP 404); create it, or set the bucket option or CARVE_S3_BUCKET`);
    expect(proxy.requests).toHaveLength(1);

    proxy.reset();
    const stranger = new Catalog(s3({ prefix, maxAttempts: 3, backoff: BACKOFF }, { ...proxy.env, AWS_ACCESS_KEY_ID: 'NOT-S3RVER' }));
    const unknown = await rejection(stranger.listRuns());
    expect(unknown.message).toBe(`catalog s3://${server.bucket}/${prefix} at ${proxy.endpoint}: list runs/: access denied (InvalidAccessKeyId, HTTP 403); check the credentials and that they may use bucket '${server.bucket}'`);
    expect(proxy.requests).toHaveLength(1);
  });
});
