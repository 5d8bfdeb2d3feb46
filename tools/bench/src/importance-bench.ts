/**
 * @module importance-bench
 * `npm run bench:importance`: time to score stories260K on 400 calibration sequences of 256
 * tokens (the importance issue's figure), by statistic pass and layer scoring.
 */
import { parseArgs } from 'node:util';
import { Runtime } from '@carve/engine';
import { buildCalibrationSet, scoreImportance } from '@carve/importance';
import { loadLlama2c, loadTokenizer } from '@carve/model';
import * as path from 'node:path';
import { haveStories260K, STORIES260K_PATH } from './assets';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' }, samples: { type: 'string', default: '400' }, 'seq-len': { type: 'string', default: '256' } } });
  if (!haveStories260K()) throw new Error(`the importance benchmark needs ${STORIES260K_PATH}`);
  const threads = Number(values.threads);
  const samples = Number(values.samples);
  const seqLen = Number(values['seq-len']);
  const assets = path.dirname(path.dirname(STORIES260K_PATH));
  const model = loadLlama2c(STORIES260K_PATH);
  const tokenizer = loadTokenizer(path.join(assets, 'stories260K', 'tok512.bin'));
  let t0 = process.hrtime.bigint();
  const calibration = buildCalibrationSet(tokenizer, [path.join(assets, 'text', 'tinystories_train_head.txt')], { seqLen, samples, seed: 0 });
  const calibrationMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const runtime = new Runtime({ intraOpThreads: threads, allowSpinning: true });
  const result: Record<string, number> = {};
  for (const layerScoring of ['block', 'drop'] as const) {
    t0 = process.hrtime.bigint();
    await scoreImportance(model, calibration, { layerScoring, runtime, batchSize: 8 });
    result[`${layerScoring}_ms`] = Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await runtime.dispose();
  const tokens = samples * seqLen;
  console.log(`stories260K, ${samples} sequences of ${seqLen} tokens (${tokens} tokens), ${threads} thread(s)`);
  console.log(`calibration set: ${calibrationMs.toFixed(0)} ms; scoring with block importance: ${result.block_ms} ms (${Math.round(tokens / (result.block_ms / 1000))} tok/s); with drop-one-layer: ${result.drop_ms} ms`);
  console.log(JSON.stringify({ bench: 'importance', model: 'stories260K', samples, seq_len: seqLen, threads, calibration_ms: Math.round(calibrationMs), ...result }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
