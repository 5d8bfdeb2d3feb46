/**
 * @module steps/train/random
 * Separate random streams from a run's one seed, so that changing one consumer (say, LoRA
 * off) leaves the others' draws as they were; the data split and shuffles use the seed itself.
 */
import { Rng } from '@carve/engine';

/** The stream of each consumer; fixed, as finished runs' results depend on them. */
export const STREAMS = { lora: 1, sampler: 2, dropout: 3 } as const;

/** The generator of stream `n` of `seed`. */
export function stream(seed: number, n: number): Rng {
  return new Rng((seed * 0x9e3779b1 + n) >>> 0);
}
