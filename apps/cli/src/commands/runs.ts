/**
 * @module commands/runs
 * `carve runs list|show|compare`: queries over the results catalog, a local folder by
 * default or S3 (options or the CARVE_S3_* environment), through the catalog-backend plugins.
 */
import { Catalog, CatalogBackend } from '@carve/catalog';
import { formatValue } from '@carve/pipeline';
import { Command } from 'commander';
import { CliIO } from '../io';
import { createRegistry } from '../plugins';

export interface CatalogArgs {
  catalog: string;
  s3Bucket?: string;
  s3Prefix?: string;
  s3Endpoint?: string;
}

/** Adds the options that choose the catalog. */
export function withCatalogOptions(command: Command): Command {
  return command
    .option('--catalog <dir>', 'the local catalog folder (runs under runs/<id>/)', 'carve-runs')
    .option('--s3-bucket <name>', 'use the S3 catalog in this bucket instead (default: $CARVE_S3_BUCKET)')
    .option('--s3-prefix <prefix>', 'key prefix inside the bucket (default: $CARVE_S3_PREFIX)')
    .option('--s3-endpoint <url>', 'an S3-compatible endpoint (default: $CARVE_S3_ENDPOINT, else AWS)');
}

/** The catalog the options name: S3 when a bucket is given (or in the environment), else the local folder. */
export function openCatalog(args: CatalogArgs): Catalog {
  const registry = createRegistry([], process.cwd());
  const s3 = args.s3Bucket ?? process.env.CARVE_S3_BUCKET;
  const backend = s3
    ? registry.create<CatalogBackend>('catalog-backend', 's3', { bucket: s3, ...(args.s3Prefix !== undefined ? { prefix: args.s3Prefix } : {}), ...(args.s3Endpoint ? { endpoint: args.s3Endpoint, forcePathStyle: true } : {}) }, { env: process.env })
    : registry.create<CatalogBackend>('catalog-backend', 'local', { root: args.catalog }, { env: process.env });
  return new Catalog(backend);
}

const number = (x: number | undefined) => (x === undefined ? '-' : formatValue(x));

/** Rows as an aligned text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  return `${[header, ...rows].map((cells) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n')}\n`;
}

export function runsCommand(io: CliIO): Command {
  const runs = new Command('runs').description('list, show and compare the runs of a results catalog');
  withCatalogOptions(runs.command('list').description('every run of the catalog, oldest first'))
    .option('--json', 'one JSON object per run instead of a table')
    .action(async (args: CatalogArgs & { json?: boolean }) => {
      const summaries = await openCatalog(args).listRuns();
      if (args.json) {
        for (const s of summaries) io.stdout(`${JSON.stringify(s)}\n`);
        return;
      }
      io.stdout(table(['id', 'status', 'created', 'model', 'objectives', 'front', 'hypervolume'], summaries.map((s) => [s.id, s.status, s.created, s.model ?? '-', s.objectives.join(',') || '-', number(s.frontSize), number(s.hypervolume)])));
    });
  withCatalogOptions(runs.command('show').description("one run's manifest and files").argument('<id>', 'the run id'))
    .action(async (id: string, args: CatalogArgs) => {
      const details = await openCatalog(args).showRun(id);
      io.stdout(`${JSON.stringify(details, null, 2)}\n`);
    });
  withCatalogOptions(runs.command('compare').description('the fronts of several runs side by side, with hypervolumes where comparable').argument('<ids...>', 'two or more run ids'))
    .action(async (ids: string[], args: CatalogArgs) => {
      const comparison = await openCatalog(args).compareFronts(ids);
      io.stdout(`${JSON.stringify(comparison, null, 2)}\n`);
    });
  return runs;
}
