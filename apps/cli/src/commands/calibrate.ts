/**
 * @module commands/calibrate
 * `carve calibrate`: the calibrated grid of a search space (k candidates per parameter bin,
 * the best of each kept: by perplexity on calibration text, or by weight magnitude), saved
 * whole or not at all as JSON with its parameter histogram, and an SVG of that histogram
 * beside it.
 */
import * as fs from 'node:fs';
import { Rng, Runtime } from '@carve/engine';
import { buildCalibrationSet, CalibrationRecord } from '@carve/importance';
import { countParams, LanguageModel, loadTokenizer, SubNetwork, weightMagnitude } from '@carve/model';
import { histogramSvg, parameterHistogram, Sampler, SamplerContext } from '@carve/sampler';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { compactJson } from '@carve/pipeline';
import { ModelSpaceArgs, modelSpaceIssues, resolveModelSpace, withModelSpaceOptions } from '../model-space';
import { nonNegativeInt, positiveInt } from '../options';
import { outputFileIssue, writeFilesAtomically } from '../output-file';
import { subNetworkRecord } from '../subnetworks';
import { versions } from '../versions';

const RANKS = ['magnitude', 'perplexity'] as const;
type Rank = (typeof RANKS)[number];
/** Tokens per calibration sequence unless --seq-len says otherwise (capped at the model's block size). */
const DEFAULT_SEQ_LEN = 128;

interface CalibrateArgs extends ModelSpaceArgs {
  bins: number;
  perBin: number;
  rank?: string;
  data?: string[];
  tokenizer?: string;
  samples: number;
  seqLen?: number;
  seed: number;
  threads: number;
  out: string;
  force: boolean;
}

export function calibrateCommand(io: CliIO): Command {
  return withModelSpaceOptions(new Command('calibrate').description('build the calibrated grid of a search space; save it as JSON with an SVG histogram beside it'))
    .requiredOption('--out <file>', 'the grid as JSON (e.g. grid.json); the histogram goes beside it as grid.svg')
    .option('--bins <n>', 'equal-width parameter bins between the smallest and largest sub-network', positiveInt, 21)
    .option('--per-bin <n>', 'random candidates drawn per bin; the best is kept', positiveInt, 5)
    .option('--rank <how>', `keep the candidate with: ${RANKS.join(' | ')} (default: perplexity with --data, else magnitude)`)
    .option('--data <files...>', 'calibration text for perplexity ranking: UTF-8 files, or .jsonl with a "text" field')
    .option('--tokenizer <path>', 'tokenizer for --data: tokenizer.json, a folder holding it, or a llama2.c tokenizer .bin')
    .option('--samples <n>', 'calibration sequences, drawn with --seed', positiveInt, 16)
    .option('--seq-len <n>', `tokens per calibration sequence (default: ${DEFAULT_SEQ_LEN}, or the model's block size if smaller)`, positiveInt)
    .option('--seed <n>', 'seed of the candidates and of the calibration windows', nonNegativeInt, 0)
    .option('--threads <n>', 'ONNX Runtime intra-op threads (perplexity ranking)', positiveInt, 1)
    .option('--force', 'replace --out and its SVG if they exist (only once the new ones are complete)', false)
    .action(async (args: CalibrateArgs) => {
      const rank = checkArgs(args);
      const svgPath = svgBeside(args.out);
      const { registry, config, model, source, space, spaceOptions, layerOrderFrom } = resolveModelSpace(args);
      if (!model) throw new CliError(`--preset ${args.preset}: a preset has no weights, and ranking by ${rank} needs them; give --checkpoint`);
      const seqLen = args.seqLen ?? Math.min(DEFAULT_SEQ_LEN, config.blockSize);
      if (seqLen > config.blockSize) throw new CliError(`--seq-len ${seqLen} exceeds the model's block size ${config.blockSize}`);

      let calibration: CalibrationRecord | null = null;
      let runtime: Runtime | undefined;
      const context: SamplerContext = { space, rng: new Rng(args.seed), weightMagnitude: weightMagnitude(model) };
      const total = args.bins * args.perBin;
      let scored = 0;
      const progress = () => {
        scored++;
        if (io.interactive) io.stderr(`\rcalibrate: scored ${scored}/${total}${scored === total ? '\n' : ''}`);
      };
      if (rank === 'perplexity') {
        const tokenizer = loadTokenizer(args.tokenizer!, { vocabSize: config.vocabSize });
        const set = buildCalibrationSet(tokenizer, args.data!, { seqLen, samples: args.samples, seed: args.seed });
        calibration = set.record;
        const rt = (runtime = new Runtime({ intraOpThreads: args.threads }));
        context.score = async (s: SubNetwork) => {
          const lm = await LanguageModel.create(model, { runtime: rt, subNetwork: s });
          try {
            let loss = 0;
            for (const sequence of set.sequences) loss += (await lm.loss(sequence, seqLen, 1)).loss;
            return Math.exp(loss / set.sequences.length);
          } finally {
            await lm.dispose();
            progress();
          }
        };
      } else {
        const magnitude = context.weightMagnitude!;
        context.weightMagnitude = (s) => {
          const m = magnitude(s);
          progress();
          return m;
        };
      }

      const options = { bins: args.bins, perBin: args.perBin, rank: rank === 'perplexity' ? 'score' : 'magnitude' };
      let grid: SubNetwork[];
      try {
        const sampler = await registry.create<Sampler | Promise<Sampler>>('sampler', 'calibrated', options, context);
        grid = await sampler.sample(args.bins + 2); // a point per bin, and the smallest and largest
      } finally {
        await runtime?.dispose();
      }
      const histogram = parameterHistogram(space, grid, args.bins);
      const record = {
        carve: versions(['@carve/cli', '@carve/sampler', '@carve/search-space', '@carve/model']),
        model: { ...source, parameters: countParams(config) },
        space: { name: space.name, options: spaceOptions, layerOrder: space.layerOrder, ...(layerOrderFrom ? { layerOrderFrom } : {}), size: space.size().toString() },
        sampler: { name: 'calibrated', options },
        rank,
        seed: args.seed,
        calibration,
        grid: grid.map((s) => subNetworkRecord(config, s)),
        histogram,
      };
      const title = `${config.name}, ${space.name} space: calibrated grid, ${args.bins} bins × ${args.perBin} candidates by ${rank} (seed ${args.seed})`;
      writeFilesAtomically('--out', [
        { path: args.out, content: compactJson(record) },
        { path: svgPath, content: `${histogramSvg(histogram, title)}\n` },
      ], args.force);
      const summary = { out: args.out, svg: svgPath, model: config.name, space: space.name, bins: args.bins, perBin: args.perBin, rank, points: grid.length, params: grid.map((s) => countParams(config, s)), counts: histogram.counts };
      io.stdout(`${JSON.stringify(summary)}\n`);
    });
}

/** Every problem with the options and files, at once, before anything is loaded; returns the ranking. */
function checkArgs(args: CalibrateArgs): Rank {
  const issues = modelSpaceIssues(args);
  const rank = (args.rank ?? (args.data ? 'perplexity' : 'magnitude')) as Rank;
  if (!RANKS.includes(rank)) issues.push(`--rank ${rank}: unknown (known: ${RANKS.join(', ')})`);
  if (rank === 'perplexity') {
    if (!args.data) issues.push('--rank perplexity needs calibration text: --data FILE...');
    if (args.tokenizer === undefined) issues.push('--rank perplexity needs --tokenizer PATH');
  } else if (rank === 'magnitude' && (args.data || args.tokenizer !== undefined)) {
    issues.push('--data and --tokenizer are for --rank perplexity; drop them or rank by perplexity');
  }
  if (args.tokenizer !== undefined && !fs.existsSync(args.tokenizer)) issues.push(`--tokenizer ${args.tokenizer}: no such file or folder`);
  for (const file of args.data ?? []) if (!fs.existsSync(file)) issues.push(`--data ${file}: no such file`);
  if (args.preset !== undefined && args.checkpoint === undefined) {
    issues.push(`--preset ${args.preset}: a preset has no weights, and ranking by ${rank} needs them; give --checkpoint`);
  }
  for (const path of [args.out, svgBeside(args.out)]) {
    const issue = outputFileIssue('--out', path, args.force);
    if (issue) issues.push(issue);
  }
  if (issues.length) throw new CliError(issues.join('; '));
  return rank;
}

/** grid.json → grid.svg; any other name gets .svg appended. */
function svgBeside(out: string): string {
  return out.endsWith('.json') ? `${out.slice(0, -'.json'.length)}.svg` : `${out}.svg`;
}
