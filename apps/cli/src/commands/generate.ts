/**
 * @module commands/generate
 * `carve generate`: continue a prompt with a model, printing text as it is generated.
 */
import { Runtime } from '@carve/engine';
import { DecodeStream, LanguageModel, loadCheckpoint, loadTokenizer } from '@carve/model';
import { Command } from 'commander';
import { CliIO } from '../io';
import { nonNegativeInt, nonNegativeNumber, positiveInt, probability } from '../options';

interface GenerateArgs {
  checkpoint: string;
  tokenizer: string;
  prompt: string;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  threads: number;
}

export function generateCommand(io: CliIO): Command {
  return new Command('generate')
    .description('continue a prompt with a model and print the text (greedy with --temperature 0)')
    .requiredOption('--checkpoint <path>', 'model: a Hugging Face folder (config.json + safetensors) or a llama2.c .bin file')
    .requiredOption('--tokenizer <path>', 'tokenizer: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .option('--prompt <text>', 'text to continue (BOS is added before it)', '')
    .option('--max-new-tokens <n>', 'tokens to generate', positiveInt, 256)
    .option('--temperature <t>', 'sampling temperature; 0 is greedy', nonNegativeNumber, 1)
    .option('--top-p <p>', 'nucleus sampling: keep the likeliest tokens up to this probability', probability, 1)
    .option('--seed <n>', 'seed of the sampler', nonNegativeInt, 0)
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt, 1)
    .action(async (args: GenerateArgs) => {
      const tokenizer = loadTokenizer(args.tokenizer);
      const model = loadCheckpoint(args.checkpoint);
      const runtime = new Runtime({ intraOpThreads: args.threads });
      const lm = await LanguageModel.create(model, { runtime });
      try {
        const prompt = tokenizer.encode(args.prompt, { bos: true });
        const stream = new DecodeStream(tokenizer);
        for (const id of prompt) io.stdout(stream.push(id));
        await lm.generate(prompt, {
          maxNewTokens: args.maxNewTokens,
          temperature: args.temperature,
          topP: args.topP,
          seed: args.seed,
          stopToken: tokenizer.eosId,
          onToken: (id) => io.stdout(stream.push(id)),
        });
        io.stdout(`${stream.flush()}\n`);
      } finally {
        await lm.dispose();
        await runtime.dispose();
      }
    });
}
