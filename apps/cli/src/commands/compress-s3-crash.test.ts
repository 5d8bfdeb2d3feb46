/**
 * Crash consistency of `carve compress` publishing to S3 (`output.catalog: s3`; the run
 * publishes its folder after every stage, the manifest last). The bucket is a real s3rver
 * behind testing/fault-proxy, which holds the uploads chosen for each kill (a delay), so the
 * process is SIGKILLed while one is in flight: once the proxy has the request and before the
 * server has it. Three kills, each in the next rerun of the same command: an upload of the
 * publish after the first stage, one of the publish after training, and the final manifest
 * (the one that says `complete`). A rerun without delays then completes the run. The catalog
 * must never show more than is true (its manifest lists only stored objects of the recorded
 * size and SHA-256, and says `complete` only once the run is), and must end with every file
 * of the run and the front of an uninterrupted run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Catalog, CatalogBackend, catalogBackendPlugins, RunManifest } from '@carve/catalog';
import { RUN_LOCK_FILE } from '@carve/pipeline';
import { PluginRegistry } from '@carve/registry';
import { FaultProxy, startFaultProxy } from '../../../../libs/catalog/src/testing/fault-proxy';
import { S3Server, startS3Server } from '../../../../libs/catalog/src/testing/s3-server';
import { finished, runFolder, spawnCarve, SpawnedCarve, stageLines } from '../testing/spawned-carve';
import { writeTinySpec } from '../testing/tiny-spec';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-s3-crash-'));
const STAGES = ['data', 'importance', 'grid', 'train', 'search', 'export', 'evaluate', 'report'];
/** Evaluation on fewer documents than the other tiny runs. */
const EXTRA = { evaluation: { limit: 4 } };
const PREFIX = 'crash';
/** How long the proxy holds an upload chosen for a kill: the kill comes while it waits. */
const DELAY_MS = 1500;

let server: S3Server;
let proxy: FaultProxy;
/** The bucket as the server holds it, not through the proxy. */
let direct: Catalog;
let referenceFront: unknown;

beforeAll(async () => {
  server = await startS3Server();
  proxy = await startFaultProxy(server);
  const registry = new PluginRegistry();
  registry.register(catalogBackendPlugins);
  direct = new Catalog(registry.create<CatalogBackend>('catalog-backend', 's3', { bucket: server.bucket, prefix: PREFIX, endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1' }, { env: server.env }));
  // The uninterrupted run, in a local catalog: the run's work does not depend on where it is published.
  const root = path.join(tmp, 'uninterrupted');
  const p = spawnCarve(['compress', writeTinySpec(path.join(tmp, 'uninterrupted.json'), root, EXTRA)]);
  const done = await p.exited;
  expect([done.code, done.stderr]).toEqual([0, expect.stringContaining('report: done in')]);
  referenceFront = JSON.parse(fs.readFileSync(path.join(runFolder(root)!, 'front.json'), 'utf8'));
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true once the proxy's recorded requests satisfy `seen` (polled), false if `p` ends first. */
async function untilProxySees(p: SpawnedCarve, seen: (requests: readonly string[]) => boolean): Promise<boolean> {
  let ended = false;
  void p.exited.then(() => (ended = true));
  for (;;) {
    if (seen(proxy.requests.map((r) => r.request))) return true;
    if (ended) return false;
    await sleep(5);
  }
}

/** A request for the run's object `name` (a regular expression's source), as the proxy records it: `METHOD /bucket/prefix/runs/<id>/<name>?…`. */
const objectRequest = (method: string, name: string) => new RegExp(`^${method} /${server.bucket}/${PREFIX}/runs/[^/]+/${name}\\?`);

/** The catalog's manifest of the run, straight from the server. */
async function storedManifest(id: string): Promise<RunManifest | undefined> {
  return (await direct.listRuns()).some((r) => r.id === id) ? (await direct.showRun(id)).manifest : undefined;
}

test('killed while an S3 upload is in flight (after an early stage, after training, the final manifest) and rerun, the catalog never shows more than is true and ends with every file and the front of an uninterrupted run', async () => {
  const root = path.join(tmp, 'killed');
  const spec = writeTinySpec(path.join(tmp, 'killed.json'), root, { ...EXTRA, output: { catalog: 's3', root, bucket: server.bucket, prefix: PREFIX, endpoint: proxy.endpoint, region: 'us-east-1' } });
  // This process's environment without its CARVE_S3_* settings, with the test server's credentials.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CARVE_S3_')));
  const env = { ...inherited, AWS_ACCESS_KEY_ID: server.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: server.env.AWS_SECRET_ACCESS_KEY, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const runs: SpawnedCarve[] = [];
  /** How many processes finished each stage (left its marker). */
  const finishes = new Map<string, number>();
  const dataMarker = objectRequest('PUT', 'stages/data\\.json');
  const trainUpload = objectRequest('PUT', '(train/|stages/train\\.json)');
  const manifestPut = objectRequest('PUT', 'manifest\\.json');
  const manifestGet = objectRequest('GET', 'manifest\\.json');

  /** Runs the command once (`act` may hold uploads and kill it); checks it went on from where the last one stopped and what the catalog then shows. */
  const rerun = async (label: string, act: (p: SpawnedCarve) => Promise<void>) => {
    const before = finished(runFolder(root));
    const p = spawnCarve(['compress', spec], env);
    runs.push(p);
    await act(p);
    const result = await p.exited;
    // Killed, or completed: never failed.
    expect([label, result.signal ?? result.code, result.signal ? '' : result.stderr]).toEqual([label, result.signal ? 'SIGKILL' : 0, expect.anything()]);
    if (result.signal) {
      // The held upload is passed on (or dropped) after the delay, whoever sent it: wait it out, then hold nothing more.
      await sleep(DELAY_MS + 500);
    }
    proxy.reset();
    const ran = stageLines(p, /^(\S+): running/);
    const skipped = stageLines(p, /^(\S+): done already, skipped$/);
    // No stage finished before runs again; each it skips had finished, and stays as it was.
    expect([label, ran.filter((s) => before.has(s)), skipped.filter((s) => !before.has(s))]).toEqual([label, [], []]);
    const folder = runFolder(root)!;
    const after = finished(folder);
    expect([label, [...before].filter(([s, at]) => after.get(s) !== at)]).toEqual([label, []]);
    for (const s of after.keys()) if (!before.has(s)) finishes.set(s, (finishes.get(s) ?? 0) + 1);
    // What the catalog shows now is true: each listed object is stored with its recorded size and SHA-256
    // (fetchRun checks the hash), every stage it calls complete has finished, and it says complete only once all have.
    const id = path.basename(folder);
    const manifest = await storedManifest(id);
    if (manifest) {
      const fetched = path.join(tmp, `fetched-${runs.length}`);
      const { fetched: names } = await direct.fetchRun(id, fetched);
      expect([label, names]).toEqual([label, manifest.files.map((f) => f.name)]);
      expect([label, manifest.files.filter((f) => fs.statSync(path.join(fetched, f.name)).size !== f.size).map((f) => f.name)]).toEqual([label, []]);
      expect([label, manifest.stages.filter((s) => s.status === 'complete' && !after.has(s.name)).map((s) => s.name)]).toEqual([label, []]);
      if (manifest.status === 'complete') expect([label, STAGES.filter((s) => !after.has(s))]).toEqual([label, []]);
      expect([label, manifest.status]).toEqual([label, result.signal ? expect.stringMatching(/^(running|complete)$/) : 'complete']);
    }
    return { result, manifest };
  };

  /** Holds the uploads `match` matches and kills `p` once the proxy has the first one (after `ready`, which may add rules itself). */
  const killAtUpload = (match: RegExp) => async (p: SpawnedCarve) => {
    proxy.inject({ match, fault: { kind: 'delay', ms: DELAY_MS } });
    if (await untilProxySees(p, (requests) => requests.some((r) => match.test(r)))) p.child.kill('SIGKILL');
  };

  // 1. The publish after the first stage: killed while the data stage's marker is being uploaded.
  const first = await rerun('kill 1 (upload after data)', killAtUpload(dataMarker));
  expect(first.result.signal).toBe('SIGKILL');
  expect(first.manifest?.status).toBe('running');
  expect(first.manifest?.files.map((f) => f.name)).not.toContain('stages/data.json');

  // 2. The publish after training: killed at its first upload of training's files.
  const second = await rerun('kill 2 (upload after train)', killAtUpload(trainUpload));
  expect(second.result.signal).toBe('SIGKILL');
  expect(second.manifest?.status).toBe('running');
  expect(second.manifest?.stages.find((s) => s.name === 'train')?.status).not.toBe('complete');

  // 3. The final publish: once the report stage runs (no publish runs during a stage), the
  // manifest writes are held; the kill comes at the one of the second publish from then on
  // (the first is the publish after the report stage, the second the final one, each begun by a read of the manifest).
  let completeBeforeKill: string | undefined = 'not read';
  const third = await rerun('kill 3 (final manifest)', async (p) => {
    if (!(await p.line(/^report: running/))) return;
    const from = proxy.requests.length;
    proxy.inject({ match: manifestPut, fault: { kind: 'delay', ms: DELAY_MS } });
    const finalPut = (requests: readonly string[]) => {
      const since = requests.slice(from);
      const secondRead = since.map((r, i) => (manifestGet.test(r) ? i : -1)).filter((i) => i >= 0)[1];
      return secondRead !== undefined && since.slice(secondRead).some((r) => manifestPut.test(r));
    };
    if (await untilProxySees(p, finalPut)) {
      p.child.kill('SIGKILL');
      // The final manifest is held by the proxy: the catalog still shows the run running.
      completeBeforeKill = (await storedManifest(path.basename(runFolder(root)!)))?.status;
    }
  });
  expect(third.result.signal).toBe('SIGKILL');
  expect(completeBeforeKill).toBe('running');

  // Then without delays: the rerun completes.
  const last = await rerun('the last rerun', async () => undefined);
  expect(last.result.code).toBe(0);

  // Over all the processes, each stage finished exactly once.
  expect(STAGES.map((s) => [s, finishes.get(s)])).toEqual(STAGES.map((s) => [s, 1]));
  const folder = runFolder(root)!;
  const id = path.basename(folder);
  const manifest = (await storedManifest(id))!;
  const ranLast = new Set(stageLines(runs.at(-1)!, /^(\S+): running/));
  expect(manifest).toMatchObject({ status: 'complete', stages: STAGES.map((name) => ({ name, status: ranLast.has(name) ? 'complete' : 'skipped' })) });
  // The final manifest lists every file of the run folder; each is stored as the folder holds it.
  const local = (fs.readdirSync(folder, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).filter((f) => fs.statSync(path.join(folder, f)).isFile() && f !== 'manifest.json' && f !== RUN_LOCK_FILE).sort();
  expect(manifest.files.map((f) => f.name)).toEqual(local);
  const fetched = path.join(tmp, 'fetched-final');
  expect((await direct.fetchRun(id, fetched)).fetched).toEqual(local);
  expect(local.filter((f) => !fs.readFileSync(path.join(fetched, f)).equals(fs.readFileSync(path.join(folder, f))))).toEqual([]);
  expect(manifest.files.filter((f) => fs.statSync(path.join(folder, f.name)).size !== f.size).map((f) => f.name)).toEqual([]);
  // The front, in the folder and in the catalog, is the uninterrupted run's.
  expect(JSON.parse(fs.readFileSync(path.join(folder, 'front.json'), 'utf8'))).toEqual(referenceFront);
  expect(await direct.readJson(id, 'front.json')).toEqual(referenceFront);
});
