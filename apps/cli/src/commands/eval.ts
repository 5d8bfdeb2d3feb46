/**
 * @module commands/eval
 * `carve eval`: downstream tasks (task plugins: HellaSwag, ARC, MMLU, the text tasks...)
 * scored by a model's log-likelihoods in lm-eval-harness's conventions. Prints a table of
 * the metrics with their standard errors, and with `--output` writes every result with the
 * settings that produced it (docs/evaluation.md).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DEVICES, Device, resolveDevice, Runtime } from '@carve/engine';
import { oneLine } from '@carve/errors';
import { buildRequests, DEFAULT_FEWSHOT_SEED, evaluateTask, FewShotError, isTaskGroup, MetricName, MetricValue, ModelScorer, PromptSettings, Task, TaskContext, TaskOrGroup, TaskResult } from '@carve/evaluation';
import { countParams, LanguageModel, loadCheckpoint, loadTokenizer, writeJsonAtomic } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { Command, Option } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { nonNegativeInt, positiveInt } from '../options';
import { collect, createRegistry } from '../plugins';
import { createProgress, Progress } from '../progress';
import { versions } from '../versions';

interface EvalArgs {
  model?: string;
  checkpoint?: string;
  tokenizer?: string;
  tasks: string;
  dataDir?: string;
  taskData: string[];
  taskOptions: string[];
  text?: string;
  limit?: number;
  shots?: number;
  seed: number;
  batchSize: number;
  bos: boolean;
  threads: number;
  device: Device;
  output?: string;
  samples: boolean;
  plugin: string[];
}

/** One task's result in the output file: the evaluator's, with the plugin and options it came from. */
export interface EvalTaskRecord extends TaskResult {
  plugin: { name: string; version: string; options: Record<string, unknown> };
}

/** What `--output` holds. */
export interface EvalRecord {
  /** The versions of carve's packages that computed it. */
  carve: Record<string, string>;
  timestamp: string;
  model: { path: string; name: string; parameters: number; blockSize: number; vocabSize: number };
  tokenizer: string;
  /** What changes the log-likelihoods: the tokenizer, BOS, the maximum length (left truncation), rows per run. */
  scorer: Readonly<Record<string, string | number | boolean>>;
  device: { requested: Device; provider: string; description: string };
  threads: number;
  /** The command's settings; each result's `prompts` holds what its prompts were built with. */
  settings: {
    tasks: string[];
    /** null: each task's default. */
    shots: number | null;
    seed: number;
    limit: number | null;
    dataDir: string | null;
    text: string | null;
    taskData: Record<string, string>;
    taskOptions: Record<string, Record<string, unknown>>;
    samples: boolean;
  };
  results: EvalTaskRecord[];
}

export function evalCommand(io: CliIO): Command {
  return new Command('eval')
    .description('score downstream tasks (HellaSwag, ARC, MMLU, ...) as lm-eval-harness does; print a table, --output writes JSON')
    .requiredOption('--tasks <names>', "comma-separated task plugins (hellaswag,arc-easy,...; lm-eval's arc_easy works too); `--tasks list` prints them")
    .option('--model <path>', 'model: a Hugging Face folder or a llama2.c .bin file')
    .option('--checkpoint <path>', 'the same as --model')
    .option('--tokenizer <path>', "tokenizer: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin (default: the model folder's tokenizer.json)")
    .option('--data-dir <dir>', 'folder of task data: <dir>/<dataset>/<split>.jsonl (and hellaswag_val_full.txt)')
    .option('--task-data <task=path>', "one task's data: a JSONL file of its evaluation split, or a folder of <split>.jsonl files (repeatable)", collect, [])
    .option('--task-options <task=json>', 'a task plugin\'s options as JSON, e.g. \'text-cloze={"seed":1}\' (repeatable)', collect, [])
    .option('--text <file>', 'text file the text tasks (text-cloze, text-ending) are built from')
    .option('--limit <n>', 'score only the first n documents of each task (lm-eval --limit)', positiveInt)
    .option('--shots <k>', "few-shot examples per document (default: each task's own)", nonNegativeInt)
    .option('--seed <s>', 'seed of the few-shot draws (lm-eval uses 1234)', nonNegativeInt, DEFAULT_FEWSHOT_SEED)
    .option('--batch-size <n>', 'rows per model run', positiveInt, 16)
    .option('--no-bos', "start contexts without BOS, as lm-eval's Hugging Face backend does (default: with the tokenizer's BOS)")
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt, 1)
    .addOption(new Option('--device <name>', 'where ONNX Runtime runs: auto (CUDA where it works, else the CPU) | cpu | cuda').choices(DEVICES).default('cpu'))
    .option('--output <file>', 'write the results and every setting as JSON (replaced atomically)')
    .option('--samples', "keep every document's log-likelihoods in --output", false)
    .option('--plugin <package>', 'load the plugins of an installed package (repeatable)', collect, [])
    .action(async (args: EvalArgs, command: Command) => {
      const registry = createRegistry(args.plugin, process.cwd());
      const given = args.tasks.split(',').map((n) => n.trim());
      if (given.length === 1 && given[0] === 'list') {
        io.stdout(taskListing(registry));
        return;
      }
      const names = given.map((n) => pluginName(registry, n));
      const bosGiven = command.getOptionValueSource('bos') === 'cli';
      await runEval(io, registry, checkArgs(args, names, registry), bosGiven ? args.bos : undefined);
    });
}

/** The task plugins, one line each: name, version, description (and the package of a third party's). */
export function taskListing(registry: PluginRegistry): string {
  const tasks = registry.list('task');
  if (!tasks.length) return 'no task plugins are registered\n';
  const width = Math.max(...tasks.map((t) => t.name.length));
  const versionWidth = Math.max(...tasks.map((t) => t.version.length));
  return tasks.map((t) => `${t.name.padEnd(width)}  ${t.version.padEnd(versionWidth)}  ${t.description}${t.source && t.source !== '@carve' ? ` (from ${t.source})` : ''}\n`).join('');
}

/**
 * The plugin a task name means: itself, or the kebab-case plugin of lm-eval's snake_case
 * name (`arc_easy` is plugin `arc-easy`, whose results are reported as `arc_easy`).
 */
function pluginName(registry: PluginRegistry, name: string): string {
  const known = registry.list('task').map((t) => t.name);
  const kebab = name.replace(/_/g, '-');
  return !known.includes(name) && known.includes(kebab) ? kebab : name;
}

interface Checked {
  model: string;
  tokenizer: string;
  tasks: string[];
  taskData: Map<string, string>;
  taskOptions: Map<string, Record<string, unknown>>;
  args: EvalArgs;
}

/** Every problem with the options and files, at once, before anything is loaded. */
function checkArgs(args: EvalArgs, names: string[], registry: PluginRegistry): Checked {
  const issues: string[] = [];
  const known = registry.list('task').map((t) => t.name);
  if (names.some((n) => n === '')) issues.push(`--tasks ${args.tasks}: an empty task name; separate names with commas only`);
  const unknown = [...new Set(names.filter((n) => n !== '' && !known.includes(n)))];
  if (unknown.length) {
    const listed = known.length ? `tasks: ${known.join(', ')}` : 'no task plugins are registered';
    issues.push(`--tasks: unknown task${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} (${listed}; \`carve eval --tasks list\` describes them)`);
  }
  const twice = [...new Set(names.filter((n, i) => n !== '' && names.indexOf(n) !== i))];
  if (twice.length) issues.push(`--tasks: ${twice.map((n) => `'${n}'`).join(', ')} named more than once`);

  /** `TASK=VALUE` of a per-task option, for a task of --tasks, once per task. */
  const perTask = <T>(option: string, values: readonly string[], example: string, parse: (value: string) => { value: T } | { error: string }): Map<string, T> => {
    const byTask = new Map<string, T>();
    for (const value of values) {
      const m = /^([^=]+)=([^]+)$/.exec(value);
      const given = oneLine(value); // as messages quote it: a value typed over several lines stays one line
      if (!m || !m[1].trim() || !m[2].trim()) {
        issues.push(`--${option} ${given}: expected ${example}`);
        continue;
      }
      const task = pluginName(registry, m[1].trim());
      const parsed = parse(m[2].trim());
      if (!names.includes(task)) issues.push(`--${option} ${given}: task '${task}' is not in --tasks (${names.filter((n) => n !== '').join(', ')})`);
      else if (byTask.has(task)) issues.push(`--${option} ${given}: task '${task}' is given it twice`);
      else if ('error' in parsed) issues.push(`--${option} ${given}: ${parsed.error}`);
      else byTask.set(task, parsed.value);
    }
    return byTask;
  };
  const taskData = perTask('task-data', args.taskData, 'TASK=PATH (hellaswag=data/hellaswag/validation.jsonl)', (path) => ({ value: path }));
  const taskOptions = perTask<Record<string, unknown>>('task-options', args.taskOptions, `TASK=JSON (text-cloze='{"seed":1}')`, (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { error: `not valid JSON (${oneLine((e as Error).message)})` };
    }
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { value: value as Record<string, unknown> } : { error: 'expected a JSON object of options' };
  });
  for (const [task, options] of taskOptions) if ('data' in options && taskData.has(task)) issues.push(`task '${task}': its data is given twice, by --task-data and by --task-options`);

  if (args.model !== undefined && args.checkpoint !== undefined && args.model !== args.checkpoint) issues.push(`--model ${args.model} and --checkpoint ${args.checkpoint}: give one (--checkpoint is another name for --model)`);
  const model = args.model ?? args.checkpoint;
  let tokenizer = args.tokenizer ?? '';
  if (model === undefined) issues.push('--model <path> is required (a Hugging Face folder or a llama2.c .bin; --checkpoint is the same)');
  else if (!fs.existsSync(model)) issues.push(`--model ${model}: no such file or folder`);
  else if (args.tokenizer === undefined) {
    const own = nodePath.join(model, 'tokenizer.json');
    if (!fs.statSync(model).isDirectory()) issues.push(`--tokenizer is required with a llama2.c model (${model}): pass its tokenizer .bin`);
    else if (!fs.existsSync(own)) issues.push(`--model ${model}: the folder holds no tokenizer.json; pass --tokenizer`);
    else tokenizer = own;
  }
  if (args.tokenizer !== undefined && !fs.existsSync(args.tokenizer)) issues.push(`--tokenizer ${args.tokenizer}: no such file or folder`);
  if (args.dataDir !== undefined && !(fs.existsSync(args.dataDir) && fs.statSync(args.dataDir).isDirectory())) issues.push(`--data-dir ${args.dataDir}: no such folder`);
  if (args.text !== undefined && !(fs.existsSync(args.text) && fs.statSync(args.text).isFile())) issues.push(`--text ${args.text}: no such file`);
  if (args.output !== undefined && fs.existsSync(args.output) && fs.statSync(args.output).isDirectory()) issues.push(`--output ${args.output}: is a folder; pass a file name`);
  if (issues.length) throw new CliError(issues.join('; '));
  return { model: model!, tokenizer, tasks: names, taskData, taskOptions, args };
}

/** The tasks of a task or group, one by one. */
const tasksOf = (t: TaskOrGroup): readonly Task[] => (isTaskGroup(t) ? t.tasks : [t]);

async function runEval(io: CliIO, registry: PluginRegistry, checked: Checked, bos: boolean | undefined): Promise<void> {
  const { args } = checked;
  const context: TaskContext = { ...(args.dataDir !== undefined ? { dataDir: args.dataDir } : {}), ...(args.text !== undefined ? { text: args.text } : {}) };
  const settings: PromptSettings = { shots: args.shots, seed: args.seed, limit: args.limit };
  // Every task is created and its prompts built before the model loads: bad data ends the run at once.
  const tasks: { name: string; options: Record<string, unknown>; task: TaskOrGroup }[] = [];
  for (const name of checked.tasks) {
    const data = checked.taskData.get(name);
    const options = { ...checked.taskOptions.get(name), ...(data === undefined ? {} : { data }) };
    const task = await registry.create<TaskOrGroup | Promise<TaskOrGroup>>('task', name, options, context);
    for (const t of tasksOf(task)) {
      try {
        buildRequests(t, settings);
      } catch (e) {
        // buildRequests's RangeErrors and FewShotErrors are about the settings: more examples than the few-shot split holds.
        if (e instanceof RangeError || e instanceof FewShotError) throw new CliError(`--shots ${args.shots ?? t.defaultShots}: ${e.message}`);
        throw e;
      }
    }
    tasks.push({ name, options, task });
  }

  const checkpoint = loadCheckpoint(checked.model);
  const tokenizer = loadTokenizer(checked.tokenizer, { vocabSize: checkpoint.config.vocabSize });
  if (bos === true && tokenizer.bosId === undefined) throw new CliError(`--tokenizer ${checked.tokenizer}: has no BOS token to start contexts with`);
  const device = await resolveDevice(args.device);
  const runtime = new Runtime({ intraOpThreads: args.threads, executionProviders: device.executionProviders });
  const results: EvalTaskRecord[] = [];
  let scorerSettings: EvalRecord['scorer'] = {};
  try {
    const lm = await LanguageModel.create(checkpoint, { runtime });
    try {
      const scorer = new ModelScorer(lm, tokenizer, { bos, batchSize: args.batchSize, tokenizerName: checked.tokenizer });
      scorerSettings = scorer.settings;
      let bar: { task: string; progress: Progress } | undefined;
      for (const [i, { name, options, task }] of tasks.entries()) {
        const plugin = registry.get('task', name);
        const onProgress = (scored: string, done: number, total: number) => {
          if (bar?.task !== scored) {
            bar?.progress.finish();
            bar = { task: scored, progress: createProgress(io, `eval ${scored}`, total) };
          }
          bar.progress(done, `task ${i + 1}/${tasks.length}`);
        };
        const result = await evaluateTask(task, scorer, { ...settings, samples: args.samples, onProgress });
        results.push({ ...result, plugin: { name, version: plugin.version, options } });
      }
      bar?.progress.finish();
    } finally {
      await lm.dispose();
    }
  } finally {
    await runtime.dispose();
  }

  io.stdout(resultsTable(results));
  if (args.output === undefined) return;
  const record: EvalRecord = {
    carve: versions(['@carve/cli', '@carve/evaluation', '@carve/model', '@carve/engine']),
    timestamp: new Date().toISOString(),
    model: { path: checked.model, name: checkpoint.config.name, parameters: countParams(checkpoint.config), blockSize: checkpoint.config.blockSize, vocabSize: checkpoint.config.vocabSize },
    tokenizer: checked.tokenizer,
    scorer: scorerSettings,
    device: { requested: device.requested, provider: device.provider, description: device.description },
    threads: args.threads,
    settings: {
      tasks: checked.tasks,
      shots: args.shots ?? null,
      seed: args.seed,
      limit: args.limit ?? null,
      dataDir: args.dataDir ?? null,
      text: args.text ?? null,
      taskData: Object.fromEntries(checked.taskData),
      taskOptions: Object.fromEntries(checked.taskOptions),
      samples: args.samples,
    },
    results,
  };
  fs.mkdirSync(nodePath.dirname(nodePath.resolve(args.output)), { recursive: true });
  writeJsonAtomic(args.output, record);
}

/** A number as lm-eval's table shows it: 4 decimals, N/A where there is none (a one-document stderr). */
const fixed = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'N/A' : v.toFixed(4));

/** The few-shot count of a result: its own, or its subtasks' when they agree. */
function shotsOf(r: TaskResult): string {
  if (r.prompts) return String(r.prompts.shots);
  const shots = new Set((r.subtasks ?? []).map(shotsOf));
  return shots.size === 1 ? [...shots][0] : '';
}

/**
 * The results as a Markdown table, as lm-eval prints them: a row per metric (in the task's
 * order), the task's columns on its first row, and a group's subtasks indented below it.
 */
export function resultsTable(results: readonly TaskResult[]): string {
  const header = ['Task', 'Version', 'Shots', 'Docs', 'Metric', 'Value', '± Stderr'];
  const right = [false, true, true, true, false, true, true];
  const rows: string[][] = [];
  const add = (r: TaskResult, indent: string) => {
    (Object.entries(r.metrics) as [MetricName, MetricValue][]).forEach(([metric, { value, stderr }], i) => {
      const first = i === 0;
      rows.push([first ? `${indent}${r.task}` : '', first ? r.version : '', first ? shotsOf(r) : '', first ? String(r.documents) : '', metric, fixed(value), fixed(stderr)]);
    });
    for (const s of r.subtasks ?? []) add(s, `${indent} - `);
  };
  for (const r of results) add(r, '');
  const widths = header.map((h, c) => Math.max(3, [...h].length, ...rows.map((row) => [...row[c]].length)));
  const pad = (cell: string, c: number) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |\n`;
  const rule = `|${widths.map((w, c) => (right[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|\n`;
  return line(header) + rule + rows.map(line).join('');
}
