/**
 * @module commands/search
 * `carve search`: multi-objective search over a trained super-network's sub-networks with a
 * strategy and objectives from the registry. The search lives in one folder: search.json
 * (settings and the trial log, rewritten atomically after every trial, so --resume replays
 * it without evaluating a finished trial again), and at the end trials.json and front.json.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Runtime } from '@carve/engine';
import { countParams, loadTokenizer, SubNetwork, writeJsonAtomic } from '@carve/model';
import { measure, Objective, ObjectiveContext } from '@carve/objectives';
import { Optimizer, OptimizerOptions, SearchState, Strategy, StrategyContext, subNetworkDomain, Trial } from '@carve/optimizer';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { resolveModelSpace } from '../model-space';
import { nonNegativeInt, positiveInt } from '../options';
import { outputIssue } from '../output-dir';
import { collect, createRegistry } from '../plugins';
import { createProgress } from '../progress';
import { frontTable, trialRecord } from '../search/report';
import { changedSettings, jsonSetting, parseConstraint, parseNumbers, SearchSettings, SETTING_KEYS, settingsIssues } from '../search/settings';
import { applyTrained } from '../search/trained';
import { versions } from '../versions';

export const SEARCH_JSON = 'search.json';
export const TRIALS_JSON = 'trials.json';
export const FRONT_JSON = 'front.json';

interface SearchRecord {
  format: 1;
  settings: SearchSettings;
  versions: Record<string, string>;
  state: SearchState<SubNetwork>;
}

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
  let record: SearchRecord | undefined;
  if (args.resume && args.force) issues.push('give --resume or --force, not both');
  else if (args.resume) {
    record = readRecord(args.out as string, issues);
    if (record) {
      const changed = changedSettings(record.settings, given);
      if (changed.length) issues.push(`--resume: these change the search's settings (from ${nodePath.join(args.out as string, SEARCH_JSON)}): ${changed.join(', ')}; drop them, or start a new search in another folder`);
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
  await runSearch(io, settings, args.out as string, args.stopAfter as number | undefined, record);
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

function readRecord(out: string, issues: string[]): SearchRecord | undefined {
  const file = nodePath.join(out, SEARCH_JSON);
  if (!fs.existsSync(file)) {
    issues.push(`--resume: ${out} holds no search (no ${SEARCH_JSON}); start one without --resume`);
    return undefined;
  }
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as SearchRecord;
    if (record.format !== 1 || !record.settings || !record.state) throw new Error('not written by carve search');
    return record;
  } catch (e) {
    issues.push(`--resume: ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

async function runSearch(io: CliIO, settings: SearchSettings, out: string, stopAfter: number | undefined, record?: SearchRecord): Promise<void> {
  const { registry, config, model: loaded, space } = resolveModelSpace({
    checkpoint: settings.checkpoint, space: settings.space, spaceOptions: settings.spaceOptions === undefined ? undefined : JSON.stringify(settings.spaceOptions),
    importance: settings.importance, layerOrder: settings.layerOrder, plugin: settings.plugin,
  });
  if (!loaded) throw new Error('resolveModelSpace gave no weights for a checkpoint');
  const { model, lora } = settings.lora ? applyTrained(loaded, settings.lora) : { model: loaded, lora: undefined };
  const validation = settings.val && settings.tokenizer ? loadTokenizer(settings.tokenizer, { vocabSize: config.vocabSize }).encode(fs.readFileSync(settings.val, 'utf8'), { bos: true }) : undefined;
  const runtime = new Runtime({ intraOpThreads: settings.threads });
  const context: ObjectiveContext = { config, model, lora, validation, space, runtime, seed: settings.seed };
  const objectives = settings.objectives.map((name) => registry.create<Objective>('objective', name, settings.objectiveOptions[name] ?? {}, context));
  const options: OptimizerOptions<SubNetwork> = {
    domain: subNetworkDomain(space),
    createStrategy: (ctx: StrategyContext<SubNetwork>) => registry.create<Strategy<SubNetwork>>('optimizer', settings.strategy, settings.strategyOptions ?? {}, ctx as StrategyContext<unknown>),
    objectives: objectives.map((o) => ({ name: o.name, direction: o.direction })),
    constraints: settings.constraints,
    budget: settings.budget,
    seed: settings.seed,
    reference: settings.reference,
    anchors: settings.anchors,
    strategyName: settings.strategy,
    strategyOptions: settings.strategyOptions,
  };
  // A resumed search replays its log through a fresh strategy: no finished trial is evaluated again.
  const optimizer = record ? Optimizer.resume(options, record.state) : new Optimizer(options);
  if (!record) fs.mkdirSync(out, { recursive: true });

  const save = () => writeJsonAtomic(nodePath.join(out, SEARCH_JSON), { format: 1, settings, versions: record?.versions ?? versions(['@carve/optimizer', 'onnxruntime-node']), state: optimizer.state() });
  save();
  const progress = createProgress(io, 'search:', settings.budget);
  try {
    for (let choice = optimizer.ask(); choice !== undefined; choice = optimizer.ask()) {
      const values: number[] = [];
      const details: Record<string, number | string> = { params: countParams(config, choice) };
      for (const objective of objectives) {
        const m = await measure(objective, choice);
        values.push(m.value);
        for (const [key, value] of Object.entries(m.details ?? {})) details[`${objective.name}.${key}`] = value;
      }
      const trial = optimizer.tell(choice, values, details);
      save();
      progress(trial.index + 1, objectives.map((o, i) => `${o.name} ${format(values[i])}`).join(', '));
      if (stopAfter !== undefined && optimizer.trials.length >= stopAfter && optimizer.trials.length < settings.budget) {
        progress.finish();
        io.stdout(`stopped after ${optimizer.trials.length} of ${settings.budget} trials; continue with --resume (state in ${nodePath.join(out, SEARCH_JSON)})\n`);
        return;
      }
    }
  } finally {
    progress.finish();
    await runtime.dispose();
  }
  const front = optimizer.front();
  const remeasured = await remeasure(io, front, objectives);
  writeJsonAtomic(nodePath.join(out, TRIALS_JSON), optimizer.trials.map((t) => trialRecord(t, settings.objectives)));
  writeJsonAtomic(nodePath.join(out, FRONT_JSON), {
    objectives: objectives.map((o) => ({ name: o.name, direction: o.direction })),
    constraints: settings.constraints,
    reference: optimizer.reference,
    hypervolume: optimizer.hypervolume(),
    members: front.map((t, i) => ({ ...trialRecord(t, settings.objectives), ...(remeasured[i] ? { remeasured: remeasured[i] } : {}) })),
  });
  io.stdout(frontTable(front, objectives, remeasured));
  io.stdout(`${front.length} Pareto-optimal of ${optimizer.trials.length} trials; hypervolume ${format(optimizer.hypervolume())} (reference ${(optimizer.reference ?? []).map(format).join(', ')}); ${nodePath.join(out, FRONT_JSON)}\n`);
}

/**
 * Re-measures the front's members on every estimated objective (a predicted latency) with
 * the objective it estimates, so the front reports measured figures: one record per member.
 */
async function remeasure(io: CliIO, front: readonly Trial<SubNetwork>[], objectives: readonly Objective[]): Promise<(Record<string, number> | undefined)[]> {
  const estimated = objectives.filter((o) => o.measured);
  if (estimated.length === 0) return front.map(() => undefined);
  const progress = createProgress(io, 're-measuring the front:', front.length);
  const records: Record<string, number>[] = [];
  for (const t of front) {
    const record: Record<string, number> = {};
    for (const o of estimated) record[o.name] = (await measure(o.measured!, t.choice)).value;
    records.push(record);
    progress(records.length, estimated.map((o) => `${o.name} ${format(record[o.name])}`).join(', '));
  }
  progress.finish();
  return records;
}

function format(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
