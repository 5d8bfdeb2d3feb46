import { isUserError } from '@carve/engine';
import { PluginRegistry } from '@carve/registry';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { CatalogBackend, CatalogBackendContext } from './backend';
import { runCatalogBackendContract } from './backend-contract';
import { Catalog } from './catalog';
import { catalogBackendPlugins } from './plugins';
import { front, manifest, writeRunFolder } from './testing/run-folder';
import { S3Server, startS3Server } from './testing/s3-server';
import { rejection } from './testing/rejection';

const registry = new PluginRegistry();
registry.register(catalogBackendPlugins);
const s3 = (options: unknown, env: CatalogBackendContext['env']) => registry.create<CatalogBackend>('catalog-backend', 's3', options, { env });

let server: S3Server;
let scratch: string;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  scratch = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-catalog-s3-'));
});

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A port on loopback where nothing listens: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('S3Backend against s3rver', () => {
  test('meets the backend contract at the bucket root', async () => {
    await runCatalogBackendContract(s3({}, server.env), { scratch });
  });

  test('meets the backend contract under a prefix, and keeps its keys there', async () => {
    const prefixed = s3({ prefix: '/team/carve/' }, server.env);
    expect(prefixed.describe()).toBe(`s3://${server.bucket}/team/carve at ${server.endpoint}`);
    await runCatalogBackendContract(prefixed, { scratch, prefix: 'contract-prefixed/' });
    await prefixed.putBytes('runs/r1/front.json', Buffer.from('{}'));
    const root = s3({}, server.env);
    expect(await root.list('team/')).toEqual(['team/carve/runs/r1/front.json']);
    expect(await prefixed.list('runs/')).toEqual(['runs/r1/front.json']);
    await root.remove('team/');
  });

  test('publishes, lists and shows runs, skipping unchanged files on a second publish', async () => {
    const catalog = new Catalog(s3({ prefix: 'publish' }, server.env));
    const big = Buffer.alloc(7 * 1024 * 1024, 3);
    const folder = writeRunFolder(nodePath.join(scratch, 'run'), { 'front.json': front(), 'trials.json': [], 'models/best.onnx': big });
    const first = await catalog.publishRun('20261128-2042-aaaaaa', folder, manifest('20261128-2042-aaaaaa'));
    expect(first).toEqual({ uploaded: ['front.json', 'models/best.onnx', 'trials.json'], unchanged: [] });
    await catalog.writeManifest('20261128-2100-bbbbbb', manifest('20261128-2100-bbbbbb', { status: 'running', created: '2026-11-28T21:00:00.000Z' }));

    expect((await catalog.listRuns()).map((r) => [r.id, r.status, r.frontSize])).toEqual([
      ['20261128-2042-aaaaaa', 'complete', 2],
      ['20261128-2100-bbbbbb', 'running', 2],
    ]);
    const shown = await catalog.showRun('20261128-2042-aaaaaa');
    expect(shown.files).toEqual(['front.json', 'manifest.json', 'models/best.onnx', 'trials.json']);
    expect(shown.manifest.files.find((f) => f.name === 'models/best.onnx')?.size).toBe(big.length);
    expect(await catalog.readJson('20261128-2042-aaaaaa', 'front.json')).toEqual(front());
    expect((await catalog.backend.get('runs/20261128-2042-aaaaaa/models/best.onnx'))?.equals(big)).toBe(true);

    writeRunFolder(folder, { 'report.html': '<html></html>' });
    const second = await catalog.publishRun('20261128-2042-aaaaaa', folder, manifest('20261128-2042-aaaaaa'));
    expect(second).toEqual({ uploaded: ['report.html'], unchanged: ['front.json', 'models/best.onnx', 'trials.json'] });
    await catalog.backend.remove('');
  });

  test('reports an unreachable endpoint in one line, after its retries, as a UserError', async () => {
    const port = await closedPort();
    const backend = s3({ bucket: 'carve-test', prefix: 'p', maxAttempts: 2 }, { ...server.env, CARVE_S3_ENDPOINT: `http://127.0.0.1:${port}` });
    const e = await rejection(new Catalog(backend).listRuns());
    expect(isUserError(e)).toBe(true);
    expect(e.code).toBe('catalog_io');
    expect(e.message).toBe(
      `catalog s3://carve-test/p at http://127.0.0.1:${port}: list runs/: cannot connect (ECONNREFUSED) after 2 attempts; check the endpoint and that the server is running`,
    );
  });

  test('names a bucket that does not exist', async () => {
    const backend = s3({ bucket: 'no-such-bucket' }, server.env);
    const e = await rejection(backend.putBytes('x.json', Buffer.from('{}')));
    expect(e.message).toBe(
      `catalog s3://no-such-bucket/ at ${server.endpoint}: write x.json: bucket 'no-such-bucket' does not exist (NoSuchBucket, HTTP 404); create it, or set the bucket option or CARVE_S3_BUCKET`,
    );
  });
});
