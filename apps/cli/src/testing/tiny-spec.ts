/**
 * @module testing/tiny-spec
 * A run spec small enough for a test that runs `carve compress` whole (a few documents, a few
 * steps, a few trials, on the embedded model: about half a minute on two cores), as a file.
 */
import * as fs from 'node:fs';
import { embeddedCorpus } from '@carve/pipeline';

/** Writes the tiny spec (its catalog at `root`; `extra` replaces whole sections) to `file`; returns `file`. */
export function writeTinySpec(file: string, root: string, extra: Record<string, unknown> = {}): string {
  const corpus = embeddedCorpus();
  const spec = {
    data: { train: corpus.train.slice(-3), validation: corpus.validation.slice(-1), calibration: corpus.train.slice(-1) },
    importance: { samples: 8, seqLen: 64 },
    training: { steps: 4, batchSize: 2, seqLen: 64, threads: 2 },
    search: { budget: 6, strategy: { name: 'nsga2', options: { population: 4 } }, objectives: [{ name: 'val-loss', options: { seqLen: 64, windows: 4 } }, { name: 'params' }] },
    latency: { repeats: 2, warmup: 1, seqLen: 16 },
    export: { max: 2 },
    evaluation: { limit: 12 },
    output: { root },
    ...extra,
  };
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}
