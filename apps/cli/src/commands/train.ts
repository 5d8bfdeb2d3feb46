/**
 * @module commands/train
 * `carve train`: super-network training of a checkpoint (LoRA adapters or every weight) with
 * a strategy, a sampler and a search space from the registry. The settings come from a JSON
 * config and the command line, checked at once; the run lives in one folder (run.json,
 * metrics.jsonl, checkpoints/, adapters.safetensors) and continues exactly with --resume.
 * The training itself is @carve/pipeline's step, shared with `carve compress`; this command
 * reads the options, checks the folder, draws the progress bar and prints the summary.
 */
import * as nodePath from 'node:path';
import { changedTrainSettings, checkTrainFiles, checkTrainSettings, PreviousTrainRun, readTrainRun, TRAIN_DATA_FORMATS, TRAIN_FILES, trainFolderIssue, trainSuperNetwork, TrainSettings } from '@carve/pipeline';
import { PluginRegistry } from '@carve/registry';
import { DEVICES, Device } from '@carve/engine';
import { Command, Option } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { positiveInt } from '../options';
import { createProgress } from '../progress';
import { outputIssue, writeFolderAtomically } from '../output-dir';
import { flag, givenSettings } from '../train/given-settings';
import { createRegistry } from '../plugins';
import { versions } from '../versions';

interface TrainArgs extends Record<string, unknown> {
  config?: string;
  out: string;
  resume?: boolean;
  force?: boolean;
  stopAfter?: number;
  device: Device;
}

/** The `carve train` command. */
export function trainCommand(io: CliIO): Command {
  return new Command('train')
    .description('train a super-network (LoRA adapters, or every weight) on text; checkpoints, metrics and adapters go into --out')
    .option('--checkpoint <path>', 'model: a Hugging Face folder or a llama2.c .bin file')
    .option('--tokenizer <path>', 'tokenizer: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .option('--data <files...>', 'training text: UTF-8 files, JSONL with a "text" field, or Alpaca JSONL (see --format)')
    .option('--format <name>', `how to read --data: ${TRAIN_DATA_FORMATS.join(' | ')} (default: jsonl for .jsonl files, else text)`)
    .option('--separator <text>', 'cut text files into documents at this string (e.g. a blank line), so some can be held out')
    .option('--strategy <name>', 'training strategy plugin: standard | random | sandwich | sandwich-kd (default)')
    .option('--strategy-options <json>', 'the strategy\'s options as JSON, e.g. \'{"n":2,"beta":1}\'')
    .option('--sampler <name>', 'sampler plugin: calibrated (default, by weight magnitude) | random | grid | param-grid | sandwich')
    .option('--sampler-options <json>', 'the sampler\'s options as JSON, e.g. \'{"bins":11}\'')
    .option('--space <name>', 'search space plugin: joint (default) | layerwise | explicit')
    .option('--space-options <json>', 'the space\'s options as JSON')
    .option('--importance <path>', 'take the layer order from the importance.json of `carve importance` (or its folder)')
    .option('--lora-rank <n>', 'LoRA rank (default 8)')
    .option('--lora-alpha <x>', 'LoRA scaling numerator: updates are scaled by alpha / rank (default 16)')
    .option('--lora-dropout <p>', 'dropout on the adapters\' inputs, in [0, 1) (default 0)')
    .option('--lora-targets <list>', 'modules to adapt, from q,k,v,o,mlp,head (default: all of them)')
    .option('--full', 'train every weight instead of LoRA adapters')
    .option('--steps <n>', 'optimizer steps (default 1000)')
    .option('--batch-size <n>', 'sequences per micro-batch (default 8)')
    .option('--seq-len <n>', "tokens per sequence (default: 256, or the model's block size if smaller)")
    .option('--accumulation <n>', 'micro-batches per optimizer step (default 1)')
    .option('--lr <x>', 'peak learning rate of AdamW (default 3e-4)')
    .option('--warmup <n>', 'linear warm-up steps before the cosine decay (default: a tenth of --steps, at most 100)')
    .option('--min-lr <x>', 'learning rate at the end of the cosine decay (default: --lr / 10)')
    .option('--weight-decay <x>', 'AdamW decoupled weight decay (default 0)')
    .option('--clip <x>', 'clip the gradient\'s global norm to this; 0 turns clipping off (default 1)')
    .option('--validation-fraction <x>', 'share of the documents held out for validation, in [0, 1) (default 0.05)')
    .option('--eval-every <n>', 'steps between validation losses of the largest, a medium and the smallest network (default 100)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 100; one is always written at the end)')
    .option('--seed <n>', 'seed of the data split and order, the adapters, the sampler and dropout (default 0)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default 1)')
    .option('--memory-budget-mb <mb>', 'peak memory of the run: the batch runs in the largest micro-batches measured to fit, and a step over it stops the run (default none)')
    .addOption(new Option('--device <name>', 'where ONNX Runtime runs: auto (CUDA where it works, else the CPU) | cpu | cuda; a resumed run may change it').choices(DEVICES).default('cpu'))
    .option('--config <file>', 'settings as a JSON object keyed by the options\' camelCase names; options given here win')
    .requiredOption('--out <dir>', 'the run folder to create: run.json, metrics.jsonl, checkpoints/, adapters.safetensors')
    .option('--resume', "continue the run in --out from its latest checkpoint, with the settings in its run.json")
    .option('--force', 'replace --out if it exists')
    .option('--stop-after <n>', 'stop (with a checkpoint) once this many steps are done; continue later with --resume', positiveInt)
    .action(async (args: TrainArgs) => train(io, args));
}

async function train(io: CliIO, args: TrainArgs): Promise<void> {
  // Every problem with the settings, files and folder, before anything is loaded.
  const issues: string[] = [];
  const given = givenSettings(args, args.config, issues);
  let previous: PreviousTrainRun | undefined;
  if (args.resume && args.force) issues.push('give --resume or --force, not both');
  else if (args.resume) {
    const found = readTrainRun(args.out, flag);
    if (typeof found === 'string') issues.push(found);
    else previous = found;
  } else {
    const issue = outputIssue(args.out, args.force === true) ?? trainFolderIssue(args.out, flag);
    if (issue) issues.push(args.force ? issue : issue.replace('pass --force to replace it', 'pass --resume to continue its run, --force to replace it'));
  }
  const registry = createRegistry([], process.cwd());
  const input = previous ? { ...previous.run.settings, ...given.values } : given.values;
  if (!args.resume || previous) {
    const checked = checkTrainSettings(input, given.where, registry, issues, flag);
    if (checked) checkTrainFiles(checked, given.where, issues);
    if (checked && previous) {
      const changed = changedTrainSettings(previous.run.settings, given, checked);
      if (changed.length) issues.push(`--resume: these change the run's settings (from ${nodePath.join(args.out, TRAIN_FILES.run)}): ${changed.join(', ')}; drop them, or start a new run in another folder`);
      if (previous.step >= checked.steps) issues.push(`--resume: the run in ${args.out} is complete (${previous.step} of ${checked.steps} steps); nothing to resume`);
    }
    if (issues.length === 0) return runTraining(io, args, registry, checked!, previous);
  }
  throw new CliError(issues.join('; '));
}

/** Trains with a progress bar on stderr, then prints the run's summary as one JSON line. */
async function runTraining(io: CliIO, args: TrainArgs, registry: PluginRegistry, settings: TrainSettings, previous?: PreviousTrainRun): Promise<void> {
  const progress = createProgress(io, 'train:', settings.steps);
  const result = await trainSuperNetwork(
    {
      settings, registry, previous, label: flag, versions: versions(['@carve/cli']), device: args.device,
      // --force replaces an existing folder, only once the new one is complete.
      createFolder: (out, write) => writeFolderAtomically(out, args.force === true, write),
    },
    args.out,
    {
      stopAfter: args.stopAfter,
      onStep: (m, loss) => progress(m.step, `loss ${loss.toFixed(4)}`),
      onMemory: (c) => io.stderr(`memory budget ${settings.memoryBudgetMb} MB: micro-batches of ${c.microBatch} of ${settings.batchSize} rows (measured ${Math.round(c.oneRowMb)} MB with one row, +${Math.round(c.perRowMb)} MB a row; predicted peak ${Math.round(c.predictedMb)} MB)\n`),
    },
  );
  progress.finish();
  const { folder, steps, of, complete, trainLoss, validation, adapters } = result;
  const losses = validation && Object.fromEntries(Object.entries(validation).map(([name, v]) => [name, v.loss]));
  io.stdout(`${JSON.stringify({ out: folder, steps, of, complete, trainLoss: trainLoss ?? null, validation: losses ?? null, ...(adapters ? { adapters } : {}) })}\n`);
}
