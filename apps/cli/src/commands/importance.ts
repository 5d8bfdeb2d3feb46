/**
 * @module commands/importance
 * `carve importance`: score every head, neuron, channel and layer of a model on calibration
 * text, and write the scores, the orders they give and the permuted model (the same
 * function, most important units first) into one folder, whole or not at all.
 */
import * as fs from 'node:fs';
import { DEVICES, Device } from '@carve/engine';
import { LayerScoring, OrderScope, Statistic, STATISTICS } from '@carve/importance';
import { DEFAULT_IMPORTANCE_SEQ_LEN, runImportanceStep } from '@carve/pipeline';
import { Command, Option } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { nonNegativeInt, positiveInt } from '../options';
import { outputIssue, writeFolderAtomically } from '../output-dir';
import { versions } from '../versions';

const LAYER_SCORINGS: readonly LayerScoring[] = ['block', 'drop'];
const SCOPES: readonly OrderScope[] = ['global', 'per-layer'];

interface ImportanceArgs {
  checkpoint: string;
  tokenizer: string;
  data: string[];
  seqLen?: number;
  samples: number;
  statistic: string;
  layerScoring: string;
  scope: string;
  seed: number;
  batchSize: number;
  threads: number;
  device: Device;
  out: string;
  force: boolean;
}

export function importanceCommand(io: CliIO): Command {
  return new Command('importance')
    .description('score heads, neurons, channels and layers on calibration text; write the scores, the orders and the permuted model')
    .requiredOption('--checkpoint <path>', 'model: a Hugging Face folder or a llama2.c .bin file')
    .requiredOption('--tokenizer <path>', 'tokenizer: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .requiredOption('--data <files...>', 'calibration text: UTF-8 files, or .jsonl with a "text" field; each document starts with BOS')
    .requiredOption('--out <dir>', 'folder to create: importance.json and model/ (a Hugging Face checkpoint)')
    .option('--seq-len <n>', `tokens per calibration sequence (default: ${DEFAULT_IMPORTANCE_SEQ_LEN}, or the model's block size if smaller)`, positiveInt)
    .option('--samples <n>', 'calibration sequences, drawn with --seed from the non-overlapping windows of the text', positiveInt, 400)
    .option('--statistic <name>', `activation statistic: ${STATISTICS.join(' | ')}`, 'mean-abs')
    .option('--layer-scoring <name>', 'block: 1 − cos(block input, output); drop: loss increase without the layer', 'block')
    .option('--scope <name>', 'global: one order for every layer (scores summed); per-layer: each layer its own', 'global')
    .option('--seed <n>', 'seed of the choice of calibration windows', nonNegativeInt, 0)
    .option('--batch-size <n>', 'sequences per run', positiveInt, 8)
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt, 1)
    .addOption(new Option('--device <name>', 'where ONNX Runtime runs: auto (CUDA where it works, else the CPU) | cpu | cuda').choices(DEVICES).default('cpu'))
    .option('--force', 'replace --out if it exists (only once the new folder is complete)', false)
    .action(async (args: ImportanceArgs) => {
      checkArgs(args);
      // Drop scoring's loss passes come after the batches and report no progress of their own.
      const onProgress = io.interactive
        ? (done: number, total: number, extraPasses: number) => {
            const after = extraPasses ? `\nscoring: the loss without each layer (${extraPasses} more passes)\n` : '\n';
            io.stderr(`\rscoring: batch ${done}/${total}${done === total ? after : ''}`);
          }
        : undefined;
      const { record, seqLen } = await runImportanceStep(
        {
          checkpoint: args.checkpoint,
          tokenizer: args.tokenizer,
          data: args.data,
          seqLen: args.seqLen,
          samples: args.samples,
          statistic: args.statistic as Statistic,
          layerScoring: args.layerScoring as LayerScoring,
          scope: args.scope as OrderScope,
          seed: args.seed,
          batchSize: args.batchSize,
          threads: args.threads,
          device: args.device,
          versions: versions(['@carve/cli', '@carve/importance', '@carve/model', '@carve/engine']),
          labels: { seqLen: '--seq-len', tokenizer: '--tokenizer' },
        },
        args.out,
        // The CLI's own folder writer: it refuses an --out that appeared meanwhile unless --force.
        { onProgress, writeFolder: (out, write) => writeFolderAtomically(out, args.force, write) },
      );
      const { scores, orders, calibration } = record;
      const heads = scores.heads.reduce((n, layer) => n + layer.flat().length, 0);
      const neurons = scores.neurons.reduce((n, layer) => n + layer.length, 0);
      const summary = {
        out: args.out,
        model: record.model.name,
        parameters: record.model.parameters,
        statistic: record.statistic,
        layerScoring: record.layerScoring,
        scope: record.scope,
        samples: calibration.samples,
        seqLen,
        layerOrder: orders.layers,
        heads,
        neurons,
        channels: scores.channels.length,
      };
      io.stdout(`${JSON.stringify(summary)}\n`);
    });
}

/** Every problem with the options and files, at once, before anything is loaded. */
function checkArgs(args: ImportanceArgs): void {
  const issues: string[] = [];
  const known = (option: string, value: string, names: readonly string[]) => {
    if (!names.includes(value)) issues.push(`--${option} ${value}: unknown (known: ${names.join(', ')})`);
  };
  known('statistic', args.statistic, STATISTICS);
  known('layer-scoring', args.layerScoring, LAYER_SCORINGS);
  known('scope', args.scope, SCOPES);
  if (!fs.existsSync(args.checkpoint)) issues.push(`--checkpoint ${args.checkpoint}: no such file or folder`);
  if (!fs.existsSync(args.tokenizer)) issues.push(`--tokenizer ${args.tokenizer}: no such file or folder`);
  for (const file of args.data) if (!fs.existsSync(file)) issues.push(`--data ${file}: no such file`);
  const out = outputIssue(args.out, args.force);
  if (out) issues.push(out);
  if (issues.length) throw new CliError(issues.join('; '));
}
