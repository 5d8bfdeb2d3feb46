/**
 * @module testing/calibration
 * For the baselines' tests: a calibration set of random token windows.
 */
import { Rng } from '@carve/engine';
import { CalibrationSet } from '@carve/importance';

/** `count` windows of seqLen + 1 tokens drawn uniformly from a vocabulary of `vocab`. */
export function randomCalibration(count: number, seqLen: number, seed: number, vocab = 40): CalibrationSet {
  const rng = new Rng(seed);
  const sequences = Array.from({ length: count }, () => Array.from({ length: seqLen + 1 }, () => rng.int(vocab)));
  return { sequences, record: { files: [], seqLen, samples: count, seed, available: count, windows: sequences.map((_, i) => i) } };
}
