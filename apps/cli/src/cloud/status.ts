/**
 * @module cloud/status
 * `carve cloud status RUN`: where a cloud run is (its status record: state, stage, job) and,
 * once the worker has published to the catalog, what the catalog's manifest says of it.
 */
import { Catalog, CatalogBackend, MANIFEST_FILE, RunManifest } from '@carve/catalog';
import { getObject, RUNS_PREFIX, StatusRecord } from '@carve/cloud';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { createRegistry } from '../plugins';
import { CloudArgs, CloudContext, withCloud } from './context';

export interface StatusArgs extends CloudArgs {
  json?: boolean;
}

/** Run `id`'s manifest in the bucket's catalog, or undefined when it has none yet. */
async function readManifest(cloud: CloudContext, id: string): Promise<RunManifest | undefined> {
  const key = `${RUNS_PREFIX}${id}/${MANIFEST_FILE}`;
  const present = await cloud.onS3(`read ${key}`, () => getObject(cloud.s3, cloud.bucket, key));
  if (present === undefined) return undefined;
  const backend = createRegistry([], process.cwd()).create<CatalogBackend>(
    'catalog-backend',
    's3',
    { bucket: cloud.bucket, region: cloud.region, ...(cloud.endpoint ? { endpoint: cloud.endpoint, forcePathStyle: true } : {}) },
    { env: process.env },
  );
  return (await new Catalog(backend).showRun(id)).manifest;
}

const seconds = (s: number | undefined) => (s === undefined ? '' : ` ${s.toFixed(1)} s`);

/** The record and manifest as `label  value` lines. */
function describe(id: string, record: StatusRecord | undefined, manifest: RunManifest | undefined): string {
  const lines: [string, string][] = [['run', id]];
  if (record) {
    lines.push(['state', record.state]);
    if (record.stage !== undefined) lines.push(['stage', record.stage]);
    if (record.job) {
      const details = [record.job.id && `id ${record.job.id}`, record.job.attempt && `attempt ${record.job.attempt}`, record.job.queue && `queue ${record.job.queue}`].filter(Boolean);
      lines.push(['job', `${record.job.name}${details.length ? ` (${details.join(', ')})` : ''}`]);
    }
    if (record.device) lines.push(['device', JSON.stringify(record.device)]);
    lines.push(['updated', record.updated], ['request', record.request]);
    if (record.error !== undefined) lines.push(['error', record.error]);
    for (const [i, problem] of (record.problems ?? []).entries()) lines.push([i === 0 ? 'problems' : '', problem]);
  } else lines.push(['state', '(no status record: not a cloud run)']);
  if (manifest) {
    lines.push(['catalog', `${manifest.status} (created ${manifest.created}, updated ${manifest.updated})`]);
    for (const [i, stage] of manifest.stages.entries()) lines.push([i === 0 ? 'stages' : '', `${stage.name} ${stage.status}${seconds(stage.seconds)}`]);
    if (manifest.summary.frontSize !== undefined) lines.push(['front', `${manifest.summary.frontSize} sub-networks${manifest.summary.trials !== undefined ? ` of ${manifest.summary.trials} trials` : ''}`]);
    if (manifest.error !== undefined) lines.push(['error', manifest.error]);
  }
  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join('');
}

export async function status(id: string, args: StatusArgs, io: CliIO): Promise<void> {
  await withCloud(args, async (cloud) => {
    const record = await cloud.readStatus(id);
    const manifest = await readManifest(cloud, id);
    if (!record && !manifest) throw new CliError(`no cloud run '${id}' in ${cloud.where}: it has neither a status record nor a manifest under runs/${id}/; check the id that carve cloud submit printed, and the bucket`);
    if (args.json) {
      const catalog = manifest ? { status: manifest.status, created: manifest.created, updated: manifest.updated, stages: manifest.stages, summary: manifest.summary, ...(manifest.error !== undefined ? { error: manifest.error } : {}) } : null;
      io.stdout(`${JSON.stringify({ id, status: record ?? null, catalog }, null, 2)}\n`);
      return;
    }
    io.stdout(describe(id, record, manifest));
  });
}
