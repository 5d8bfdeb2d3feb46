/**
 * @module commands/search
 * `carve search`: multi-objective search over a trained super-network's sub-networks with a
 * strategy and objectives from the registry. The search itself is the pipeline's search step
 * (one folder: search.json, rewritten after every trial so --resume replays it, then
 * trials.json and front.json); this command turns options into its settings, checks them
 * all at once, draws its progress and prints its front.
 */
import * as nodePath from 'node:path';
import {
  changedSearchSettings, changedSearchSettingsMessage, FRONT_JSON, formatValue, frontTable, readSearchRecord, runSearchStep, SEARCH_JSON, SearchRecord, SearchStepError, SearchStepResult,
} from '@carve/pipeline';
import { DEVICES, Device } from '@carve/engine';
import { Command, Option } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { resolveModelSpace } from '../model-space';
import { nonNegativeInt, positiveInt } from '../options';
import { outputIssue } from '../output-dir';
import { collect, createRegistry } from '../plugins';
import { createProgress } from '../progress';
import { INPUT_KEYS, jsonSetting, parseConstraint, parseNumbers, SearchSettings, SETTING_KEYS, settingsIssues } from '../search/settings';
import { versions } from '../versions';

export function searchCommand(io: CliIO): Command {
  const command: Command = new Command('search')
    .description('search the sub-networks of a (trained) model for the Pareto front of several objectives; trials and the front go into --out')
    .option('--checkpoint <path>', 'model: a Hugging Face folder or a llama2.c .bin file (the one `carve train` trained)')
    .option('--lora <file>', 'the adapters.safetensors of `carve train` (LoRA adapters, or every weight after --full)')
    .option('--tokenizer <path>', 'tokenizer of --val: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .option('--val <file>', 'held-out UTF-8 text for val-loss, perplexity and kl')
    .option('--space <name>', 'search space plugin: joint | layerwise | explicit', 'joint')
    .option('--space-options <json>', 'the space\'s options as JSON')
    .option('--importance <path>', 'take the layer order from the importance.json of `carve importance` (or its folder)')
    .option('--layer-order <list>', 'layers from most to least important, e.g. 0,1,4,2,3')
    .option('--strategy <name>', 'optimizer plugin: random | nsga2 | mo-rea | local-search | parego', 'nsga2')
    .option('--strategy-options <json>', 'the strategy\'s options as JSON, e.g. \'{"population":16}\'')
    .option('--objectives <list>', 'objective plugins separated by commas: val-loss, perplexity, kl, params, flops, magnitude, latency, latency-predicted', 'val-loss,latency')
    .option('--objective-options <json>', 'options per objective as JSON, e.g. \'{"latency":{"seqLen":64,"threads":1}}\'')
    .option('--constraint <expr>', 'keep only members with OBJECTIVE<=X or OBJECTIVE>=X on the front, e.g. latency<=5 (repeatable)', collect, [])
    .option('--budget <n>', 'evaluations (trials) in all', positiveInt, 100)
    .option('--seed <n>', 'seed of the strategy', nonNegativeInt, 0)
    .option('--reference <list>', 'hypervolume reference point, one value per objective (default: fixed from the first three trials)')
    .option('--no-anchors', 'do not start from the largest, smallest and a middle network')
    .option('--threads <n>', 'ONNX Runtime intra-op threads for the loss objectives', positiveInt, 1)
    .addOption(
      new Option('--device <name>', "where ONNX Runtime runs: auto (CUDA where it works, else the CPU) | cpu | cuda; given, it is also the latency objectives' device unless --objective-options names one")
        .choices(DEVICES)
        .default('cpu'),
    )
    .option('--plugin <package>', 'load the plugins of an installed package (repeatable)', collect, [])
    .requiredOption('--out <dir>', 'the search folder to create: search.json, trials.json, front.json')
    .option('--resume', 'continue the search in --out, with the settings in its search.json')
    .option('--force', 'replace --out if it exists')
    .option('--stop-after <n>', 'stop once this many trials are done; continue later with --resume', positiveInt)
    .action(async () => search(io, command));
  return command;
}

async function search(io: CliIO, command: Command): Promise<void> {
  const args = command.opts();
  const issues: string[] = [];
  const given = givenSettings(command, issues);
  let record: SearchRecord<SearchSettings> | undefined;
  if (args.resume && args.force) issues.push('give --resume or --force, not both');
  else if (args.resume) {
    record = readRecord(args.out as string, issues);
    if (record) {
      const changed = changedSearchSettings(record.settings, given);
      if (changed.length) issues.push(`--resume: ${changedSearchSettingsMessage(nodePath.join(args.out as string, SEARCH_JSON), changed)}`);
      if (record.state.trials.length >= record.settings.budget) issues.push(`--resume: the search in ${args.out} is complete (${record.state.trials.length} of ${record.settings.budget} trials)`);
    }
  } else {
    const issue = outputIssue(args.out as string, args.force === true);
    if (issue) issues.push(args.force ? issue : issue.replace('pass --force to replace it', 'pass --resume to continue its search, --force to replace it'));
  }
  const settings = record ? { ...record.settings, ...(given.threads !== undefined ? { threads: given.threads } : {}) } : (given as SearchSettings);
  const registry = createRegistry(settings.plugin ?? [], process.cwd());
  if (!args.resume || record) issues.push(...settingsIssues(settings, registry));
  if (issues.length) throw new CliError(issues.join('; '));
  const device = command.getOptionValueSource('device') === 'cli' ? (args.device as Device) : undefined;
  await runSearch(io, settings, args.out as string, args.stopAfter as number | undefined, record !== undefined, device);
}

/** The settings the command line gives; on --resume only those typed out (not defaults) count. */
function givenSettings(command: Command, issues: string[]): Partial<SearchSettings> {
  const a = command.opts();
  const all: SearchSettings = {
    checkpoint: a.checkpoint,
    tokenizer: a.tokenizer,
    lora: a.lora,
    val: a.val,
    space: a.space,
    spaceOptions: jsonSetting('space-options', a.spaceOptions, issues),
    importance: a.importance,
    layerOrder: a.layerOrder,
    strategy: a.strategy,
    strategyOptions: jsonSetting('strategy-options', a.strategyOptions, issues),
    objectives: (a.objectives as string).split(',').map((x) => x.trim()).filter((x) => x !== ''),
    objectiveOptions: objectiveOptions(jsonSetting('objective-options', a.objectiveOptions, issues), issues),
    constraints: (a.constraint as string[]).flatMap((text) => {
      const c = parseConstraint(text);
      if (typeof c === 'string') issues.push(c);
      return typeof c === 'string' ? [] : [c];
    }),
    budget: a.budget,
    seed: a.seed,
    reference: a.reference === undefined ? undefined : numbersOrIssue('reference', a.reference, issues),
    anchors: a.anchors,
    threads: a.threads,
    plugin: a.plugin,
  };
  if (!a.resume) return all;
  const option = (key: string) => ({ objectiveOptions: 'objectiveOptions', constraints: 'constraint' })[key] ?? key;
  return Object.fromEntries(SETTING_KEYS.filter((key) => command.getOptionValueSource(option(key)) === 'cli').map((key) => [key, all[key]]));
}

function numbersOrIssue(option: string, text: string, issues: string[]): number[] | undefined {
  const values = parseNumbers(option, text);
  if (typeof values === 'string') issues.push(values);
  return typeof values === 'string' ? undefined : values;
}

function objectiveOptions(value: unknown, issues: string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push('--objective-options: expected a JSON object keyed by objective name, like {"latency":{"threads":1}}');
    return {};
  }
  return value as Record<string, unknown>;
}

function readRecord(out: string, issues: string[]): SearchRecord<SearchSettings> | undefined {
  try {
    const record = readSearchRecord<SearchSettings>(nodePath.join(out, SEARCH_JSON));
    if (!record) issues.push(`--resume: ${out} holds no search (no ${SEARCH_JSON}); start one without --resume`);
    return record;
  } catch (e) {
    if (!(e instanceof SearchStepError)) throw e;
    issues.push(`--resume: ${e.message}`);
    return undefined;
  }
}

/**
 * Runs the search step with the settings, drawing its progress and printing its front; on
 * `device` when one was given (the CPU otherwise), which latency objectives without a
 * device of their own measure on too.
 */
async function runSearch(io: CliIO, settings: SearchSettings, out: string, stopAfter: number | undefined, resume: boolean, device?: Device): Promise<void> {
  const { registry, model, space } = resolveModelSpace({
    checkpoint: settings.checkpoint, space: settings.space, spaceOptions: settings.spaceOptions === undefined ? undefined : JSON.stringify(settings.spaceOptions),
    importance: settings.importance, layerOrder: settings.layerOrder, plugin: settings.plugin,
  });
  if (!model) throw new Error('resolveModelSpace gave no weights for a checkpoint');
  let progress = createProgress(io, 'search:', settings.budget);
  let result: SearchStepResult;
  try {
    result = await runSearchStep({
      model, trained: settings.lora, space, registry,
      validation: settings.val && settings.tokenizer ? { file: settings.val, tokenizer: settings.tokenizer } : undefined,
      strategy: settings.strategy, strategyOptions: settings.strategyOptions,
      objectives: settings.objectives.map((name) => ({ name, options: device && name.startsWith('latency') ? { device, ...(settings.objectiveOptions[name] as object | undefined) } : settings.objectiveOptions[name] })),
      constraints: settings.constraints, budget: settings.budget, seed: settings.seed, reference: settings.reference, anchors: settings.anchors, threads: settings.threads, device,
      inputs: Object.fromEntries(INPUT_KEYS.map((key) => [key, settings[key]])),
      versions: versions(['@carve/optimizer', 'onnxruntime-node']),
      // Without --resume a search starts over (--force may have kept an old one in --out).
      restart: !resume,
    }, out, {
      stopAfter,
      onTrial: (trial, done) => progress(done, settings.objectives.map((name, i) => `${name} ${formatValue(trial.values[i])}`).join(', ')),
      onTrialsDone: (front) => {
        progress.finish();
        progress = createProgress(io, 're-measuring the front:', front.length);
      },
      onRemeasure: (done, _total, measured) => progress(done, Object.entries(measured).map(([name, value]) => `${name} ${formatValue(value)}`).join(', ')),
    });
  } catch (e) {
    // The step names the trained file; the user named it with --lora.
    if (e instanceof SearchStepError && e.code === 'invalid_trained') throw new CliError(`--lora ${e.message}`);
    throw e;
  } finally {
    progress.finish();
  }
  if (result.stopped) {
    io.stdout(`stopped after ${result.trials.length} of ${settings.budget} trials; continue with --resume (state in ${result.file})\n`);
    return;
  }
  const { front, trials, hypervolume, reference } = result;
  io.stdout(frontTable(front, result.objectives, result.remeasured));
  io.stdout(`${front.length} Pareto-optimal of ${trials.length} trials; hypervolume ${formatValue(hypervolume)} (reference ${(reference ?? []).map(formatValue).join(', ')}); ${nodePath.join(out, FRONT_JSON)}\n`);
}
