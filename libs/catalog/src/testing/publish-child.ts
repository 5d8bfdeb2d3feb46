/**
 * @module testing/publish-child
 * For the concurrency tests: a process of its own that publishes runs into a local catalog
 * while another one does the same. Started by `publishingProcess`; it says `ready` once
 * loaded, starts on a line on stdin (so that both start together), then publishes runs
 * `<prefix>-0`, `<prefix>-1`... until it has published `runs` of them and seen a run of
 * `other` in the listing (so the two publish at the same time however fast each is), listing
 * the catalog after each publish. It prints what it published as JSON, and any failure.
 */
import * as nodePath from 'node:path';
import { Catalog } from '../catalog';
import { LocalBackend } from '../local-backend';
import { childRunFolder, PublishChildRequest } from './publishing-process';
import { manifest } from './run-folder';

/** However the other process fares, this one stops after this many runs. */
const MAX_RUNS = 100;

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as PublishChildRequest;
  const catalog = new Catalog(new LocalBackend(request.root));
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const published: string[] = [];
  let sawOther = false;
  while ((published.length < request.runs || !sawOther) && published.length < MAX_RUNS) {
    const id = `${request.prefix}-${published.length}`;
    const folder = childRunFolder(nodePath.join(request.scratch, id), id);
    await catalog.publishRun(id, folder, manifest(id));
    published.push(id);
    const listed = (await catalog.listRuns()).map((r) => r.id);
    const missing = published.filter((p) => !listed.includes(p));
    if (missing.length > 0) throw new Error(`published but not listed: ${missing.join(', ')}`);
    sawOther ||= listed.some((listedId) => listedId.startsWith(`${request.other}-`));
  }
  process.stdout.write(`${JSON.stringify({ published, sawOther })}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
    process.exit(1);
  },
);
