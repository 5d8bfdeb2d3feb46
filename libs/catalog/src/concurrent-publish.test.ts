import { PluginRegistry } from '@carve/registry';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { CatalogBackend } from './backend';
import { Catalog } from './catalog';
import { TEMP_SUFFIX } from './keys';
import { LocalBackend } from './local-backend';
import { catalogBackendPlugins } from './plugins';
import { FaultProxy, startFaultProxy } from './testing/fault-proxy';
import { childRunFolder, startPublishingProcess } from './testing/publishing-process';
import { manifest, writeRunFolder } from './testing/run-folder';
import { S3Server, startS3Server } from './testing/s3-server';

// The catalog keeps no index of its runs: a listing is the manifests under runs/, so runs
// published at the same time touch disjoint keys. These tests publish at once from separate
// clients (S3) and from separate processes (a local folder), and check that every run is
// listed, complete, and stored byte for byte as published.

const registry = new PluginRegistry();
registry.register(catalogBackendPlugins);

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-catalog-concurrent-'));
});

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Every run of `ids` is listed as complete by `catalog`, and its files fetch as `childRunFolder` (plus `extra`) wrote them. */
async function expectComplete(catalog: Catalog, ids: readonly string[], extra: Record<string, Record<string, Buffer>> = {}): Promise<void> {
  expect((await catalog.listRuns()).map((r) => [r.id, r.status])).toEqual([...ids].sort().map((id) => [id, 'complete']));
  for (const id of ids) {
    const expected = writeRunFolder(childRunFolder(nodePath.join(scratch, 'expected', id), id), extra[id] ?? {});
    const fetched = nodePath.join(scratch, 'fetched', id);
    const { fetched: names } = await catalog.fetchRun(id, fetched);
    expect(names).toEqual(['front.json', ...Object.keys(extra[id] ?? {}), 'models/best.onnx', 'trials.json'].sort());
    for (const name of names) expect([id, name, fs.readFileSync(nodePath.join(fetched, name)).equals(fs.readFileSync(nodePath.join(expected, name)))]).toEqual([id, name, true]);
  }
}

describe('two runs publishing to one S3 catalog at once', () => {
  let server: S3Server;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startS3Server();
    proxy = await startFaultProxy(server);
  });

  afterAll(async () => {
    await proxy.close();
    await server.stop();
  });

  test('through separate clients: both appear complete and listed, and neither corrupts the other', async () => {
    // Every request a little late, so that the two publishes' requests interleave.
    proxy.inject({ match: /./, fault: { kind: 'delay', ms: 5 } });
    const client = () => new Catalog(registry.create<CatalogBackend>('catalog-backend', 's3', { prefix: 'concurrent' }, { env: proxy.env }));
    const large = (seed: number) => Buffer.alloc(6 * 1024 * 1024, seed);
    const extra = { 'a-0': { 'models/large.onnx': large(1) }, 'b-0': { 'models/large.onnx': large(2) } };
    const publishAll = async (catalog: Catalog, prefix: 'a' | 'b') => {
      for (const id of [0, 1, 2].map((n) => `${prefix}-${n}`)) {
        const folder = writeRunFolder(childRunFolder(nodePath.join(scratch, id), id), extra[id as keyof typeof extra] ?? {});
        await catalog.publishRun(id, folder, manifest(id));
      }
    };
    await Promise.all([publishAll(client(), 'a'), publishAll(client(), 'b')]);

    const order = proxy.requests.map((r) => (r.request.includes('/runs/a-') ? 'a' : r.request.includes('/runs/b-') ? 'b' : '-'));
    expect(order.indexOf('b')).toBeLessThan(order.lastIndexOf('a'));
    expect(order.indexOf('a')).toBeLessThan(order.lastIndexOf('b'));
    proxy.reset();
    await expectComplete(client(), ['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'b-2'], extra);
  });
});

describe('two processes publishing to one local catalog at once', () => {
  test('every run of both appears complete and listed, neither corrupts the other, and no temporary file is left', async () => {
    const root = nodePath.join(scratch, 'catalog');
    const request = { root, runs: 5 };
    const [a, b] = await Promise.all([
      startPublishingProcess({ ...request, scratch: nodePath.join(scratch, 'a'), prefix: 'a', other: 'b' }),
      startPublishingProcess({ ...request, scratch: nodePath.join(scratch, 'b'), prefix: 'b', other: 'a' }),
    ]);
    const answers = await Promise.all([a.start(), b.start()]);
    // Each listed the catalog after each of its publishes, found its own runs every time, and saw one of the other's.
    for (const answer of answers) expect(answer).toMatchObject({ code: 0, sawOther: true });
    const published = answers.flatMap((answer) => ('published' in answer ? answer.published : []));
    expect(published.length).toBeGreaterThanOrEqual(10);

    await expectComplete(new Catalog(new LocalBackend(root)), published);
    const leftovers = fs.readdirSync(root, { recursive: true }).map(String).filter((name) => name.endsWith(TEMP_SUFFIX));
    expect(leftovers).toEqual([]);
  });
});
