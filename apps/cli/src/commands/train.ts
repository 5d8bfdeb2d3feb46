/**
 * @module commands/train
 * `carve train`: super-network training of a checkpoint (LoRA adapters or every weight) with
 * a strategy, a sampler and a search space from the registry. The settings come from a JSON
 * config and the command line, checked at once; the run lives in one folder (run.json,
 * metrics.jsonl, checkpoints/, adapters.safetensors) and continues exactly with --resume.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Rng, Runtime } from '@carve/engine';
import { countParams, initLora, loadTokenizer, LoraConfig, ModelConfig, loraParamSpecs, paramSpecs, SubNetwork, weightMagnitude } from '@carve/model';
import { drawFrom, gridSampler, Sampler, SamplerContext } from '@carve/sampler';
import { buildTrainingData, DataLoader, DataSource, StepMetrics, SuperNetworkStep, SuperNetworkTrainer, TrainingStrategy } from '@carve/trainer';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { resolveModelSpace } from '../model-space';
import { positiveInt } from '../options';
import { createProgress } from '../progress';
import { outputIssue, writeFolderAtomically } from '../output-dir';
import { subNetworkRecord } from '../subnetworks';
import { createEvaluator, ValidationLoss } from '../train/evaluate';
import { ADAPTERS, appendMetrics, CHECKPOINTS, METRICS, readRun, RUN_JSON, RunRecord, truncateMetrics, unwritableIssue, writeAdapters } from '../train/run-folder';
import { changedSettings, checkSettings, DATA_FORMATS, givenSettings, GRID_SAMPLERS, resolveDefaults, TrainSettings } from '../train/settings';
import { createRegistry } from '../plugins';
import { versions } from '../versions';

interface TrainArgs extends Record<string, unknown> {
  config?: string;
  out: string;
  resume?: boolean;
  force?: boolean;
  stopAfter?: number;
}

/** Separate random streams from the one seed: the data split and shuffles use the seed itself. */
const LORA_STREAM = 1;
const SAMPLER_STREAM = 2;
const DROPOUT_STREAM = 3;
const stream = (seed: number, n: number) => new Rng((seed * 0x9e3779b1 + n) >>> 0);

export function trainCommand(io: CliIO): Command {
  return new Command('train')
    .description('train a super-network (LoRA adapters, or every weight) on text; checkpoints, metrics and adapters go into --out')
    .option('--checkpoint <path>', 'model: a Hugging Face folder or a llama2.c .bin file')
    .option('--tokenizer <path>', 'tokenizer: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .option('--data <files...>', 'training text: UTF-8 files, JSONL with a "text" field, or Alpaca JSONL (see --format)')
    .option('--format <name>', `how to read --data: ${DATA_FORMATS.join(' | ')} (default: jsonl for .jsonl files, else text)`)
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
    .option('--config <file>', 'settings as a JSON object keyed by the options\' camelCase names; options given here win')
    .requiredOption('--out <dir>', 'the run folder to create: run.json, metrics.jsonl, checkpoints/, adapters.safetensors')
    .option('--resume', "continue the run in --out from its latest checkpoint, with the settings in its run.json")
    .option('--force', 'replace --out if it exists')
    .option('--stop-after <n>', 'stop (with a checkpoint) once this many steps are done; continue later with --resume', positiveInt)
    .action(async (args: TrainArgs) => train(io, args));
}

async function train(io: CliIO, args: TrainArgs): Promise<void> {
  // 1. Every problem with the settings, files and folder, before anything is loaded.
  const issues: string[] = [];
  const given = givenSettings(args, args.config, issues);
  let previous: { run: RunRecord; step: number } | undefined;
  if (args.resume && args.force) issues.push('give --resume or --force, not both');
  else if (args.resume) {
    const found = readRun(args.out);
    if (typeof found === 'string') issues.push(found);
    else previous = found;
  } else {
    const issue = outputIssue(args.out, args.force === true) ?? unwritableIssue(args.out);
    if (issue) issues.push(args.force ? issue : issue.replace('pass --force to replace it', 'pass --resume to continue its run, --force to replace it'));
  }
  const registry = createRegistry([], process.cwd());
  const input = previous ? { ...previous.run.settings, ...given.values } : given.values;
  if (!args.resume || previous) {
    const checked = checkSettings(input, given.where, registry, issues);
    if (checked) fileIssues(checked, given.where, issues);
    if (checked && previous) {
      const changed = changedSettings(previous.run.settings, given, checked);
      if (changed.length) issues.push(`--resume: these change the run's settings (from ${nodePath.join(args.out, RUN_JSON)}): ${changed.join(', ')}; drop them, or start a new run in another folder`);
      if (previous.step >= checked.steps) issues.push(`--resume: the run in ${args.out} is complete (${previous.step} of ${checked.steps} steps); nothing to resume`);
    }
    if (issues.length === 0) return runTraining(io, args, checked!, previous);
  }
  throw new CliError(issues.join('; '));
}

async function runTraining(io: CliIO, args: TrainArgs, checked: TrainSettings, previous?: { run: RunRecord; step: number }): Promise<void> {
  // 2. The model, space, data, sampler and strategy; errors still leave nothing written.
  const { registry, config, model, space, layerOrderFrom } = resolveModelSpace({
    checkpoint: checked.checkpoint, space: checked.space, spaceOptions: JSON.stringify(checked.spaceOptions), importance: checked.importance, plugin: [],
  });
  if (!model) throw new Error('resolveModelSpace gave no weights for a checkpoint');
  const s = resolveDefaults(checked, config.blockSize);
  const tokenizer = loadTokenizer(s.tokenizer, { vocabSize: config.vocabSize });
  const modelIssues = [
    ...(s.seqLen > config.blockSize ? [`--seq-len ${s.seqLen} exceeds the model's block size ${config.blockSize}`] : []),
    ...(tokenizer.vocabSize > config.vocabSize ? [`--tokenizer ${s.tokenizer}: ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${config.vocabSize}`] : []),
  ];
  if (modelIssues.length) throw new CliError(modelIssues.join('; '));
  const sources = s.data.map((path): DataSource => {
    const format = s.format ?? (path.endsWith('.jsonl') ? 'jsonl' : 'text');
    return format === 'text' ? { format, path, separator: s.separator } : { format, path };
  });
  const data = buildTrainingData(tokenizer, sources, { seqLen: s.seqLen, seed: s.seed, validationFraction: s.validationFraction });
  if (previous) checkSameData(previous.run, data.record.files);
  const loader = new DataLoader(data);

  const samplerRng = stream(s.seed, SAMPLER_STREAM);
  const context: SamplerContext = { space, rng: samplerRng, weightMagnitude: weightMagnitude(model) };
  const created = await registry.create<Sampler | Promise<Sampler>>('sampler', s.sampler, s.samplerOptions, context);
  let sampler = created;
  let medium: SubNetwork;
  if (GRID_SAMPLERS.includes(s.sampler)) {
    // Built now, from the seed, before a resumed run restores the generator: the same grid every time.
    const grid = await created.sample(1 << 16);
    medium = grid[Math.floor(grid.length / 2)];
    sampler = drawFrom(created, context);
  } else {
    const diagonal = await gridSampler({ space, rng: new Rng(0) }).sample(3);
    medium = diagonal[Math.floor(diagonal.length / 2)];
  }
  const strategy = await registry.create<TrainingStrategy | Promise<TrainingStrategy>>('training-strategy', s.strategy, s.strategyOptions, { smallest: space.smallest() });
  const loraConfig: LoraConfig | undefined = s.full ? undefined : { rank: s.loraRank, alpha: s.loraAlpha, dropout: s.loraDropout, targets: s.loraTargets };
  const lora = loraConfig && { config: loraConfig, adapters: initLora(config, loraConfig, stream(s.seed, LORA_STREAM)) };
  const networks = { largest: space.largest(), medium, smallest: space.smallest() };

  const runtime = new Runtime({ intraOpThreads: s.threads });
  const ignoreIndex = data.record.ignoreIndex;
  const step = new SuperNetworkStep({ config, weights: model.weights, lora, trainable: s.full ? 'all' : 'lora', runtime, seqLen: s.seqLen, ignoreIndex, dropoutRng: stream(s.seed, DROPOUT_STREAM) });
  let last: StepMetrics | undefined;
  const progress = createProgress(io, 'train:', s.steps);
  const out = args.out;
  const trainer = new SuperNetworkTrainer({
    step, strategy, sampler, samplerRng, data: loader, batchSize: s.batchSize, accumulation: s.accumulation, steps: s.steps, warmupSteps: s.warmup,
    lr: s.lr, minLr: s.minLr, optimizer: { weightDecay: s.weightDecay }, clip: s.clip > 0 ? s.clip : undefined,
    onStep: (m) => {
      last = m;
      const loss = m.networks.reduce((a, n) => a + n.loss, 0) / m.networks.length;
      appendMetrics(out, { type: 'train', step: m.step, lr: m.lr, loss, gradNorm: m.gradNorm, networks: m.networks });
      progress(m.step, `loss ${loss.toFixed(4)}`);
    },
  });
  const evaluator = createEvaluator({ model, lora, networks, data: loader, batchSize: s.batchSize, ignoreIndex, runtime });

  // 3. The run folder: created whole with run.json, or reopened at its latest checkpoint.
  const checkpoints = nodePath.join(out, CHECKPOINTS);
  try {
    if (previous) {
      trainer.load(checkpoints);
      truncateMetrics(out, trainer.stepsDone);
    } else {
      const trainable = [...step.parameters.values()].reduce((n, a) => n + a.length, 0);
      const record = {
        carve: versions(['@carve/cli', '@carve/trainer', '@carve/sampler', '@carve/search-space', '@carve/model', '@carve/engine']),
        settings: s,
        seed: s.seed,
        model: { name: config.name, family: config.family, parameters: countParams(config), checkpoint: s.checkpoint },
        trainable: { kind: s.full ? 'all' : 'lora', parameters: trainable },
        data: data.record,
        space: { name: space.name, options: s.spaceOptions, layerOrder: space.layerOrder, ...(layerOrderFrom ? { layerOrderFrom } : {}), size: space.size().toString() },
        evaluation: Object.fromEntries(Object.entries(networks).map(([name, n]) => [name, subNetworkRecord(config, n)])),
        started: new Date().toISOString(),
      };
      await writeFolderAtomically(out, args.force === true, (temp) => {
        fs.writeFileSync(nodePath.join(temp, RUN_JSON), `${JSON.stringify(record, null, 2)}\n`);
        fs.writeFileSync(nodePath.join(temp, METRICS), '');
        fs.mkdirSync(nodePath.join(temp, CHECKPOINTS));
      });
    }

    // 4. Train, evaluating and checkpointing on schedule; the final step does both.
    const end = Math.min(s.steps, args.stopAfter ?? s.steps);
    let validation: Record<string, ValidationLoss> | undefined;
    const hasValidation = data.validation.rows > 0;
    while (trainer.stepsDone < end) {
      const done = trainer.stepsDone;
      await trainer.run(Math.min(end, nextMultiple(done, s.evalEvery), nextMultiple(done, s.checkpointEvery)));
      const now = trainer.stepsDone;
      if (hasValidation && (now % s.evalEvery === 0 || now === s.steps)) {
        validation = await evaluator.evaluate();
        appendMetrics(out, { type: 'eval', step: now, validation });
      }
      if (now === s.steps) writeTrained(out, config, step.parameters, loraConfig);
      if (now % s.checkpointEvery === 0 || now === end) trainer.save(checkpoints);
    }
    progress.finish();

    const finalLoss = last && last.networks.reduce((a, n) => a + n.loss, 0) / last.networks.length;
    const losses = validation && Object.fromEntries(Object.entries(validation).map(([name, v]) => [name, v.loss]));
    const complete = trainer.stepsDone === s.steps;
    io.stdout(`${JSON.stringify({ out, steps: trainer.stepsDone, of: s.steps, complete, trainLoss: finalLoss ?? null, validation: losses ?? null, ...(complete ? { adapters: nodePath.join(out, ADAPTERS) } : {}) })}\n`);
  } finally {
    await evaluator.dispose();
    await step.dispose();
    await runtime.dispose();
  }
}

/** Files the settings name that do not exist. */
function fileIssues(s: TrainSettings, where: Record<string, string>, issues: string[]): void {
  const missing = (key: string, path: string) => {
    if (!fs.existsSync(path)) issues.push(`${where[key] ?? key} ${path}: no such file or folder`);
  };
  missing('checkpoint', s.checkpoint);
  missing('tokenizer', s.tokenizer);
  for (const file of s.data) missing('data', file);
  if (s.importance !== undefined) missing('importance', s.importance);
}

/** A resumed run must read the same data files: their contents are checked by hash. */
function checkSameData(run: RunRecord, files: readonly { path: string; sha256: string }[]): void {
  const before = new Map((run.data?.files ?? []).map((f) => [f.path, f.sha256]));
  const changed = files.filter((f) => before.get(f.path) !== f.sha256).map((f) => f.path);
  if (changed.length) throw new CliError(`--resume: ${changed.join(', ')}: changed since the run started (sha256 differs from run.json); resume with the same data, or start a new run`);
}

/** The next step after `done` that is a multiple of `every`. */
function nextMultiple(done: number, every: number): number {
  return (Math.floor(done / every) + 1) * every;
}

/** The trained tensors in their shapes: the adapters, or every weight with --full. */
function writeTrained(out: string, config: ModelConfig, parameters: Map<string, Float32Array>, lora?: LoraConfig): void {
  const specs = lora ? loraParamSpecs(config, lora) : paramSpecs(config);
  const tensors = specs.map((spec): [string, { shape: number[]; data: Float32Array }] => [spec.name, { shape: spec.shape, data: parameters.get(spec.name)! }]);
  writeAdapters(out, tensors, {
    'carve.trainable': lora ? 'lora' : 'all',
    'carve.model': config.name,
    ...(lora ? { 'carve.lora': JSON.stringify(lora) } : {}),
  });
}
