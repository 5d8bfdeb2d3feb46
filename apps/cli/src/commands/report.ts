/**
 * @module commands/report
 * `carve report RUN`: renders a run's self-contained HTML report from its folder in the
 * local catalog (report.html beside its files), and the catalog's index page comparing runs.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Catalog, checkRunId, FRONT_FILE, FrontFile } from '@carve/catalog';
import { writeTextAtomic } from '@carve/model';
import { RUN_FILES, runReportData, withRunLock } from '@carve/pipeline';
import { IndexRun, renderCatalogIndex, renderRunReport } from '@carve/report';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { openCatalog } from './runs';

/**
 * Writes `runs/<id>/report.html` in the local catalog at `root`, holding the run folder's lock
 * (a compress working in it would replace the report, and the files it shows, meanwhile);
 * returns its path.
 */
export async function writeRunReport(catalog: Catalog, root: string, id: string, onNote?: (line: string) => void): Promise<string> {
  const folder = nodePath.join(root, 'runs', id);
  return withRunLock(folder, { onNote }, async () => {
    const { manifest } = await catalog.showRun(id);
    const timings = Object.fromEntries(manifest.stages.filter((s) => s.seconds !== undefined).map((s) => [s.name, s.seconds!]));
    const data = runReportData(folder, { id, model: manifest.summary.model ?? '-', status: manifest.status, created: manifest.created, timings, spec: manifest.spec });
    const file = nodePath.join(folder, RUN_FILES.report);
    writeTextAtomic(file, renderRunReport(data));
    return file;
  });
}

/** Writes the catalog's `index.html` over every run with a manifest; returns its path. */
export async function writeCatalogIndex(catalog: Catalog, root: string): Promise<string> {
  const runs: IndexRun[] = [];
  for (const s of await catalog.listRuns()) {
    const front = (await catalog.readJson(s.id, FRONT_FILE).catch(() => undefined)) as FrontFile | undefined;
    runs.push({ id: s.id, model: s.model ?? '-', status: s.status, created: s.created, objectives: front?.objectives ?? [], front: (front?.members ?? []).map((m, i) => ({ index: m.index ?? i, objectives: m.objectives })), hypervolume: s.hypervolume });
  }
  const file = nodePath.join(root, 'index.html');
  writeTextAtomic(file, renderCatalogIndex(runs));
  return file;
}

export function reportCommand(io: CliIO): Command {
  return new Command('report')
    .description("write a run's HTML report (runs/<id>/report.html) and the catalog's index.html, in a local catalog")
    .argument('<run>', 'the run id')
    .option('--catalog <dir>', 'the local catalog folder', 'carve-runs')
    .action(async (id: string, args: { catalog: string }) => {
      checkRunId(id);
      if (!fs.existsSync(nodePath.join(args.catalog, 'runs', id))) throw new CliError(`run ${id}: no folder ${nodePath.join(args.catalog, 'runs', id)}; \`carve runs list --catalog ${args.catalog}\` lists the runs`);
      const catalog = openCatalog({ catalog: args.catalog });
      const report = await writeRunReport(catalog, args.catalog, id, (line) => io.stderr(`${line}\n`));
      const index = await writeCatalogIndex(catalog, args.catalog);
      io.stdout(`${report}\n${index}\n`);
    });
}
