/**
 * @module commands/sample
 * `carve sample`: sub-networks from a sampler plugin, one JSON line each with its parameter
 * count (and any --objective's value), or with --summary their parameter histogram alone.
 */
import { Rng } from '@carve/engine';
import { SubNetwork, weightMagnitude } from '@carve/model';
import { measure, Objective, ObjectiveContext } from '@carve/objectives';
import { histogramSvg, parameterHistogram, Sampler, SamplerContext } from '@carve/sampler';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { jsonOption, ModelSpaceArgs, modelSpaceIssues, resolveModelSpace, withModelSpaceOptions } from '../model-space';
import { nonNegativeInt, positiveInt } from '../options';
import { outputFileIssue, writeFilesAtomically } from '../output-file';
import { collect } from '../plugins';
import { subNetworkRecord } from '../subnetworks';

interface SampleArgs extends ModelSpaceArgs {
  sampler: string;
  samplerOptions?: string;
  n: number;
  seed: number;
  objective: string[];
  histogram?: string;
  bins: number;
  summary: boolean;
  force: boolean;
}

export function sampleCommand(io: CliIO): Command {
  return withModelSpaceOptions(new Command('sample').description('draw sub-networks with a sampler; one JSON line each, with its parameter count'))
    .option('--sampler <name>', 'sampler plugin: random | grid | param-grid | calibrated | sandwich, or one from --plugin', 'random')
    .option('--sampler-options <json>', 'the sampler\'s options as JSON, e.g. \'{"bins":11}\'')
    .option('--n <n>', 'sub-networks to ask for (grid samplers give at most their points)', positiveInt, 10)
    .option('--seed <n>', 'seed of the random draws', nonNegativeInt, 0)
    .option('--objective <name>', "add an objective plugin's value to each line (repeatable)", collect, [])
    .option('--histogram <file>', 'also write an SVG histogram of the parameter counts')
    .option('--bins <n>', 'bins of the histogram over [smallest, largest]', positiveInt, 21)
    .option('--summary', 'print one JSON object with the parameter histogram instead of the lines', false)
    .option('--force', 'replace an existing --histogram file', false)
    .action(async (args: SampleArgs) => {
      const issues = modelSpaceIssues(args);
      try {
        jsonOption('sampler-options', args.samplerOptions);
      } catch (e) {
        issues.push((e as Error).message);
      }
      const file = args.histogram === undefined ? undefined : outputFileIssue('--histogram', args.histogram, args.force);
      if (file) issues.push(file);
      if (issues.length) throw new CliError(issues.join('; '));

      const { registry, config, model, space } = resolveModelSpace(args);
      const samplerOptions = jsonOption('sampler-options', args.samplerOptions);
      const objectiveContext: ObjectiveContext = { config, model };
      const objectives = args.objective.map((name) => registry.create<Objective>('objective', name, {}, objectiveContext));
      const context: SamplerContext = { space, rng: new Rng(args.seed), ...(model ? { weightMagnitude: weightMagnitude(model) } : {}) };
      const sampler = await registry.create<Sampler | Promise<Sampler>>('sampler', args.sampler, samplerOptions, context);
      if (args.sampler === 'calibrated') checkCalibrated(samplerOptions, model !== undefined); // its options are valid now
      const subnets: SubNetwork[] = await sampler.sample(args.n);

      const histogram = parameterHistogram(space, subnets, args.bins);
      if (args.histogram !== undefined) {
        const title = `${config.name}, ${space.name} space: ${args.sampler} sampler, ${subnets.length} sub-networks (seed ${args.seed})`;
        writeFilesAtomically('--histogram', [{ path: args.histogram, content: `${histogramSvg(histogram, title)}\n` }], args.force);
      }
      if (args.summary) {
        io.stdout(`${JSON.stringify({ model: config.name, space: space.name, sampler: args.sampler, seed: args.seed, n: subnets.length, histogram })}\n`);
        return;
      }
      for (const s of subnets) {
        const { params, subNetwork } = subNetworkRecord(config, s);
        const values = objectives.length ? { objectives: Object.fromEntries(await Promise.all(objectives.map(async (o) => [o.name, (await measure(o, s)).value]))) } : {};
        io.stdout(`${JSON.stringify({ params, ...values, subNetwork })}\n`);
      }
    });
}

/** The calibrated sampler ranks by weight magnitude here (no calibration data): say what it needs. */
function checkCalibrated(options: unknown, haveWeights: boolean): void {
  const rank = (options as { rank?: unknown } | undefined)?.rank;
  if (rank === 'score') {
    throw new CliError("sampler 'calibrated': rank 'score' needs calibration data; use `carve calibrate --rank perplexity --data FILE --tokenizer PATH`, or rank 'magnitude'");
  }
  if (!haveWeights) {
    throw new CliError("sampler 'calibrated': without calibration data it ranks candidates by weight magnitude, which needs the model's weights: give --checkpoint instead of --preset");
  }
}
