/**
 * @module commands/experiment
 * `carve experiment NAME [SPEC]`: the method, its ablations and its baselines on one model,
 * over seeds, as compression runs in the experiment's own catalog, then the results folder
 * (tables, figures, report). Rerunning the same command continues it.
 */
import * as nodePath from 'node:path';
import { chooseArms, EXPERIMENTS, getExperiment, runExperiment, SpecPatch, writeResults } from '@carve/experiment';
import { loadRunSpec, parseRunSpec } from '@carve/pipeline';
import { Command } from 'commander';
import { CliIO } from '../io';
import { nonNegativeIntList, probabilityList } from '../options';

interface ExperimentArgs {
  quick?: boolean;
  seeds?: number[];
  arms?: string;
  out?: string;
  budgets?: number[];
}

export function experimentCommand(io: CliIO): Command {
  return new Command('experiment')
    .description(`compare the method with its baselines and ablations over seeds, and write the results (experiments: ${EXPERIMENTS.map((e) => e.name).join(', ')})`)
    .argument('<name>', `the experiment: ${EXPERIMENTS.map((e) => `${e.name} (${e.description})`).join('; ')}`)
    .argument('[spec]', 'the run spec every arm starts from (model, data, tasks); without one, the embedded model')
    .option('--quick', 'fewer training steps, trials and task documents: the 2-core budget')
    .option('--seeds <list>', 'comma-separated seeds (default: the experiment\'s)', nonNegativeIntList)
    .option('--arms <list>', 'run only these arms (comma-separated; the method always runs)')
    .option('--budgets <list>', 'parameter budgets of the comparison, fractions of the original (default 0.25,0.5,0.75)', probabilityList)
    .option('--out <dir>', 'the experiment folder (default: experiments/<name>[-quick])')
    .action(async (name: string, specPath: string | undefined, args: ExperimentArgs) => {
      const definition = getExperiment(name);
      const base = (specPath === undefined ? parseRunSpec({}, 'the default spec') : loadRunSpec(specPath)) as unknown as SpecPatch;
      const quick = !!args.quick;
      const out = args.out ?? nodePath.join('experiments', `${name}${quick ? '-quick' : ''}`);
      const arms = chooseArms(definition, quick, args.arms?.split(',').map((a) => a.trim()).filter(Boolean));
      const seeds = args.seeds ?? definition.seeds;
      io.stderr(`experiment ${name}${quick ? ' (quick)' : ''}: ${arms.length} arms × ${seeds.length} seeds in ${out}\n`);
      const { runs, results } = await runExperiment({
        definition, base, quick, seeds, arms: arms.map((a) => a.name), out, budgets: args.budgets,
        onRun: (e) => {
          if (e.phase === 'done') io.stderr(`${e.arm} seed ${e.seed}: done in ${e.seconds!.toFixed(0)} s\n`);
          else if (e.stage) io.stderr(`${e.arm} seed ${e.seed}: ${e.stage} done in ${e.seconds!.toFixed(1)} s\n`);
        },
      });
      const model = String((base as { model?: { checkpoint?: string } }).model?.checkpoint ?? 'carve-sotu-1m');
      const command = ['carve experiment', name, ...(specPath ? [specPath] : []), ...(quick ? ['--quick'] : []), ...(args.seeds ? [`--seeds ${seeds.join(',')}`] : []), ...(args.arms ? [`--arms ${args.arms}`] : [])].join(' ');
      const written = writeResults(out, { name, description: definition.description, command, model: nodePath.basename(model), quick, seeds, arms, runs }, results);
      for (const d of results.dominance) io.stdout(`${d.baseline}: method better at ${d.wins.map((w) => `${Math.round(w * 100)}%`).join(', ') || 'no budget'}${d.losses.length ? `; not at ${d.losses.map((w) => `${Math.round(w * 100)}%`).join(', ')}` : ''}\n`);
      io.stdout(`results: ${written.markdown}\nreport: ${written.report}\n`);
    });
}
