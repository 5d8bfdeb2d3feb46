/**
 * @module commands/eval-loss
 * `carve eval-loss`: mean next-token cross-entropy and perplexity of a model on a text file.
 */
import * as fs from 'node:fs';
import { Runtime } from '@carve/engine';
import { LanguageModel, loadCheckpoint, loadTokenizer } from '@carve/model';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { positiveInt } from '../options';

interface EvalArgs {
  checkpoint: string;
  tokenizer: string;
  data: string;
  seqLen?: number;
  batchSize: number;
  threads: number;
}

export function evalLossCommand(io: CliIO): Command {
  return new Command('eval-loss')
    .description('mean next-token cross-entropy (nats) and perplexity on a text file, as JSON')
    .requiredOption('--checkpoint <path>', 'model: a Hugging Face folder or a llama2.c .bin file')
    .requiredOption('--tokenizer <path>', 'tokenizer: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .requiredOption('--data <file>', 'UTF-8 text; tokenized as one stream that starts with BOS')
    .option('--seq-len <n>', "tokens per window (default: the model's block size)", positiveInt)
    .option('--batch-size <n>', 'windows per run', positiveInt, 8)
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt, 1)
    .action(async (args: EvalArgs) => {
      if (!fs.existsSync(args.data)) throw new CliError(`--data ${args.data}: no such file`);
      const tokenizer = loadTokenizer(args.tokenizer);
      const model = loadCheckpoint(args.checkpoint);
      const seqLen = args.seqLen ?? model.config.blockSize;
      if (seqLen > model.config.blockSize) throw new CliError(`--seq-len ${seqLen} exceeds the model's block size ${model.config.blockSize}`);
      const ids = tokenizer.encode(fs.readFileSync(args.data, 'utf8'), { bos: true });
      if (ids.length < seqLen + 1) throw new CliError(`--data ${args.data}: ${ids.length} tokens, fewer than one window of --seq-len ${seqLen} + 1`);
      const runtime = new Runtime({ intraOpThreads: args.threads });
      const lm = await LanguageModel.create(model, { runtime });
      try {
        const result = await lm.loss(ids, seqLen, args.batchSize);
        io.stdout(`${JSON.stringify({ checkpoint: args.checkpoint, data: args.data, seqLen, windows: result.tokens / seqLen, ...result })}\n`);
      } finally {
        await lm.dispose();
        await runtime.dispose();
      }
    });
}
