/**
 * @module commands/importance
 * `carve importance`: score every head, neuron, channel and layer of a model on calibration
 * text, and write the scores, the orders they give and the permuted model (the same
 * function, most important units first) into one folder, whole or not at all.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Runtime } from '@carve/engine';
import {
  buildCalibrationSet,
  CalibrationRecord,
  ImportanceOrders,
  ImportanceScores,
  importanceOrders,
  LayerScoring,
  OrderScope,
  permuteModel,
  scoreImportance,
  Statistic,
  STATISTICS,
} from '@carve/importance';
import { Checkpoint, configToHf, countParams, HfTokenizer, Llama2cTokenizer, loadCheckpoint, loadTokenizer, saveHfCheckpoint, toHalfRope, Tokenizer, toHfTokenizerConfig, toHfTokenizerJson } from '@carve/model';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { compactJson } from '../json';
import { nonNegativeInt, positiveInt } from '../options';
import { outputIssue, writeFolderAtomically } from '../output-dir';
import { versions } from '../versions';

const LAYER_SCORINGS: readonly LayerScoring[] = ['block', 'drop'];
const SCOPES: readonly OrderScope[] = ['global', 'per-layer'];
/** Tokens per calibration sequence unless --seq-len says otherwise (capped at the model's block size). */
const DEFAULT_SEQ_LEN = 256;

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
  out: string;
  force: boolean;
}

/** What importance.json holds. */
interface ImportanceFile {
  carve: Record<string, string>;
  model: { name: string; family: string; parameters: number; checkpoint: string };
  tokenizer: string;
  statistic: Statistic;
  layerScoring: LayerScoring;
  scope: OrderScope;
  calibration: CalibrationRecord;
  scores: Omit<ImportanceScores, 'statistic' | 'layerScoring'>;
  orders: ImportanceOrders;
}

export function importanceCommand(io: CliIO): Command {
  return new Command('importance')
    .description('score heads, neurons, channels and layers on calibration text; write the scores, the orders and the permuted model')
    .requiredOption('--checkpoint <path>', 'model: a Hugging Face folder or a llama2.c .bin file')
    .requiredOption('--tokenizer <path>', 'tokenizer: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .requiredOption('--data <files...>', 'calibration text: UTF-8 files, or .jsonl with a "text" field; each document starts with BOS')
    .requiredOption('--out <dir>', 'folder to create: importance.json and model/ (a Hugging Face checkpoint)')
    .option('--seq-len <n>', `tokens per calibration sequence (default: ${DEFAULT_SEQ_LEN}, or the model's block size if smaller)`, positiveInt)
    .option('--samples <n>', 'calibration sequences, drawn with --seed from the non-overlapping windows of the text', positiveInt, 400)
    .option('--statistic <name>', `activation statistic: ${STATISTICS.join(' | ')}`, 'mean-abs')
    .option('--layer-scoring <name>', 'block: 1 − cos(block input, output); drop: loss increase without the layer', 'block')
    .option('--scope <name>', 'global: one order for every layer (scores summed); per-layer: each layer its own', 'global')
    .option('--seed <n>', 'seed of the choice of calibration windows', nonNegativeInt, 0)
    .option('--batch-size <n>', 'sequences per run', positiveInt, 8)
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt, 1)
    .option('--force', 'replace --out if it exists (only once the new folder is complete)', false)
    .action(async (args: ImportanceArgs) => {
      checkArgs(args);
      const model = loadCheckpoint(args.checkpoint);
      const tokenizer = loadTokenizer(args.tokenizer, { vocabSize: model.config.vocabSize });
      const seqLen = checkModel(args, model, tokenizer);
      const statistic = args.statistic as Statistic;
      const layerScoring = args.layerScoring as LayerScoring;
      const scope = args.scope as OrderScope;

      const calibration = buildCalibrationSet(tokenizer, args.data, { seqLen, samples: args.samples, seed: args.seed });
      const runtime = new Runtime({ intraOpThreads: args.threads });
      let scores: ImportanceScores;
      try {
        // Drop scoring's loss passes come after the batches and report no progress of their own.
        const after = layerScoring === 'drop' ? `\nscoring: the loss without each layer (${model.config.nLayer + 1} more passes)\n` : '\n';
        const onProgress = io.interactive ? (done: number, total: number) => io.stderr(`\rscoring: batch ${done}/${total}${done === total ? after : ''}`) : undefined;
        scores = await scoreImportance(model, calibration, { statistic, layerScoring, batchSize: args.batchSize, runtime, onProgress });
      } finally {
        await runtime.dispose();
      }
      const orders = importanceOrders(model.config, scores, scope);
      const permuted = permuteModel(model, orders).model;

      const carve = versions(['@carve/cli', '@carve/importance', '@carve/model', '@carve/engine']);
      const record: ImportanceFile = {
        carve,
        model: { name: model.config.name, family: model.config.family, parameters: countParams(model.config), checkpoint: args.checkpoint },
        tokenizer: args.tokenizer,
        statistic,
        layerScoring,
        scope,
        calibration: calibration.record,
        scores: { heads: scores.heads, neurons: scores.neurons, channels: scores.channels, layers: scores.layers },
        orders,
      };
      const metadata = {
        'carve.version': carve['@carve/cli'],
        'carve.importance': JSON.stringify({ statistic, layerScoring, scope }),
        'carve.orders': JSON.stringify(orders),
        'carve.calibration': JSON.stringify(calibration.record),
      };
      await writeFolderAtomically(args.out, args.force, (temp) => {
        fs.writeFileSync(nodePath.join(temp, 'importance.json'), compactJson(record));
        const modelDir = nodePath.join(temp, 'model');
        saveHfCheckpoint(permuted, modelDir, { metadata });
        writeTokenizer(tokenizer, modelDir);
      });

      const heads = scores.heads.reduce((n, layer) => n + layer.flat().length, 0);
      const neurons = scores.neurons.reduce((n, layer) => n + layer.length, 0);
      const summary = {
        out: args.out,
        model: model.config.name,
        parameters: record.model.parameters,
        statistic,
        layerScoring,
        scope,
        samples: calibration.record.samples,
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

/** Checks what needs the model (context, vocabulary, Hugging Face layout); returns the sequence length. */
function checkModel(args: ImportanceArgs, model: Checkpoint, tokenizer: Tokenizer): number {
  const c = model.config;
  const issues: string[] = [];
  const seqLen = args.seqLen ?? Math.min(DEFAULT_SEQ_LEN, c.blockSize);
  if (seqLen > c.blockSize) issues.push(`--seq-len ${seqLen} exceeds the model's block size ${c.blockSize}`);
  if (tokenizer.vocabSize > c.vocabSize) issues.push(`--tokenizer ${args.tokenizer}: ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${c.vocabSize}`);
  if (issues.length) throw new CliError(issues.join('; '));
  // saveHfCheckpoint converts RoPE to rotate-half, then writes config.json: check that now,
  // not after scoring (a CheckpointError naming what Hugging Face cannot express).
  configToHf(toHalfRope({ config: c, weights: new Map() }).config);
  return seqLen;
}

/** Puts tokenizer.json (and tokenizer_config.json) into `folder`: copied, or converted from llama2.c. */
function writeTokenizer(tokenizer: Tokenizer, folder: string): void {
  if (tokenizer instanceof Llama2cTokenizer) {
    fs.writeFileSync(nodePath.join(folder, 'tokenizer.json'), JSON.stringify(toHfTokenizerJson(tokenizer)));
    fs.writeFileSync(nodePath.join(folder, 'tokenizer_config.json'), `${JSON.stringify(toHfTokenizerConfig(), null, 2)}\n`);
  } else if (tokenizer instanceof HfTokenizer) {
    fs.copyFileSync(tokenizer.source, nodePath.join(folder, 'tokenizer.json'));
    const config = nodePath.join(nodePath.dirname(tokenizer.source), 'tokenizer_config.json');
    if (fs.existsSync(config)) fs.copyFileSync(config, nodePath.join(folder, 'tokenizer_config.json'));
  } else {
    throw new Error(`no Hugging Face form for the tokenizer ${tokenizer.constructor.name}`);
  }
}
