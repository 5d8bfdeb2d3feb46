/**
 * @module commands/compress
 * `carve compress [SPEC]`: the whole run (importance, grid, training, search, export,
 * evaluation, report) from a run spec, or from the defaults (the embedded model and its
 * corpus) without one; `--dry-run` prints the plan; `--device` overrides the spec's device.
 * Rerunning continues the same run; a second `carve compress` on a run folder that one is
 * working in is refused (exit 2).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { compress, formatValue, FRONT_JSON, loadRunSpec, parseRunSpec, planCompress, PlannedStage, RunSpec } from '@carve/pipeline';
import { DEVICES, Device } from '@carve/engine';
import { Command, Option } from 'commander';
import { CliIO } from '../io';
import { writeCatalogIndex } from './report';
import { openCatalog, table } from './runs';

interface CompressArgs {
  dryRun?: boolean;
  run?: string;
  device?: Device;
}

/** The plan as a table: stage, what it would do and why, rough seconds. */
function planTable(plan: readonly PlannedStage[]): string {
  const rows = plan.map((p) => [
    p.name,
    p.decision.action === 'skip' ? 'skip (done)' : `run (${p.decision.reason}${p.decision.detail ? `: ${p.decision.detail}` : ''})`,
    p.decision.action === 'skip' ? '' : p.seconds === undefined ? '?' : `~${Math.ceil(p.seconds)} s`,
    p.what,
  ]);
  return table(['stage', 'action', 'cost', 'what'], rows);
}

export function compressCommand(io: CliIO): Command {
  return new Command('compress')
    .description('compress a model end to end (importance, training, search, export, evaluation, report) from a run spec; without one, the embedded model')
    .argument('[spec]', 'the run spec, JSON or YAML (docs/pipeline.md); every field has a default')
    .option('--dry-run', 'print the plan (stages, what would run and why, rough cost) without computing')
    .option('--run <id>', 'continue this run of the catalog (with a changed spec, the stages the change reaches run again)')
    .addOption(new Option('--device <name>', "where ONNX Runtime runs the work, instead of the spec's device (which defaults to auto: CUDA where it works, else the CPU)").choices(DEVICES))
    .action(async (specPath: string | undefined, args: CompressArgs) => {
      const given: RunSpec = specPath === undefined ? parseRunSpec({}, 'the default spec') : loadRunSpec(specPath);
      // The device is part of the spec, so a run on another device is another run.
      const spec: RunSpec = args.device === undefined ? given : { ...given, device: args.device };
      if (args.dryRun) {
        const { id, folder, plan } = planCompress(spec, { run: args.run });
        io.stdout(`run ${id} in ${folder}\n${planTable(plan)}`);
        const total = plan.filter((p) => p.decision.action === 'run').reduce((a, p) => a + (p.seconds ?? 0), 0);
        io.stdout(`about ${Math.ceil(total)} s to run (a rough guess on this machine's scale)\n`);
        return;
      }
      const result = await compress(spec, {
        run: args.run,
        onNote: (line) => io.stderr(`${line}\n`),
        onStage: (e) => {
          if (e.phase === 'skip') io.stderr(`${e.stage}: done already, skipped\n`);
          if (e.phase === 'start') io.stderr(`${e.stage}: running (${e.reason})…\n`);
          if (e.phase === 'done') io.stderr(`${e.stage}: done in ${e.seconds!.toFixed(1)} s (peak RSS ${e.peakRssMb} MB)\n`);
        },
      });
      const front = JSON.parse(fs.readFileSync(nodePath.join(result.folder, FRONT_JSON), 'utf8')) as { objectives: { name: string; direction: string }[]; members: { index: number; params: number; objectives: Record<string, number> }[] };
      io.stdout(
        table(
          ['trial', 'params', ...front.objectives.map((o) => `${o.name} ${o.direction === 'minimize' ? '↓' : '↑'}`)],
          front.members.map((m) => [String(m.index), String(m.params), ...front.objectives.map((o) => formatValue(m.objectives[o.name]))]),
        ),
      );
      io.stdout(`run ${result.id}: ${front.members.length} Pareto-optimal sub-networks; exported models in ${nodePath.join(result.folder, 'models')}\nreport: ${result.report}\n`);
      if (spec.output.catalog === 'local') {
        const index = await writeCatalogIndex(openCatalog({ catalog: spec.output.root }), spec.output.root);
        io.stdout(`catalog index: ${index}\n`);
      }
    });
}
