/**
 * @module steps/train/memory
 * The train stage's memory budget: the micro-batch (rows per run) is chosen from the peak
 * resident memory measured while the step runs on one row and on two, and every step's peak
 * is checked against the budget afterwards.
 *
 * The peak is sampled from a worker thread, because ONNX Runtime runs a session on the
 * calling thread: the main event loop is blocked for the whole run, the worker's is not.
 */
import { Worker } from 'node:worker_threads';

// Polls the process's resident set size every millisecond and keeps the largest, in KiB,
// in slot 0 of the shared array (slot 1 counts the polls, so a test can see it ran).
const SAMPLER_SOURCE = `
const { workerData: peak } = require('node:worker_threads');
setInterval(() => {
  const kib = Math.round(process.memoryUsage.rss() / 1024);
  if (kib > Atomics.load(peak, 0)) Atomics.store(peak, 0, kib);
  Atomics.add(peak, 1, 1);
}, 1);
`;

/** The process's peak resident memory since the last reset, sampled every millisecond. */
export class RssSampler {
  private readonly peak = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;

  constructor() {
    this.worker = new Worker(SAMPLER_SOURCE, { eval: true, workerData: this.peak });
    this.worker.unref();
  }

  /** Starts a new window: the peak is the current resident memory. */
  reset(): void {
    Atomics.store(this.peak, 0, Math.round(process.memoryUsage.rss() / 1024));
  }

  /** The peak of the current window, in MB (10^6 bytes). */
  peakMb(): number {
    return Math.max(Atomics.load(this.peak, 0) * 1024, process.memoryUsage.rss()) / 1e6;
  }

  /** How many times the worker has sampled, for tests that check it runs while the main thread is busy. */
  get samples(): number {
    return Atomics.load(this.peak, 1);
  }

  /** The peak while `run` runs, in MB. */
  async during(run: () => Promise<unknown>): Promise<number> {
    this.reset();
    await run();
    return this.peakMb();
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The micro-batch a budget allows, and the measurements it came from. */
export interface MicroBatchChoice {
  /** Rows per run: the largest divisor of the batch size predicted to fit. */
  microBatch: number;
  /** Peak resident memory measured with one row per run, MB. */
  oneRowMb: number;
  /** What each further row added (the peak with two rows less the peak with one), MB. */
  perRowMb: number;
  /** The peak predicted for the chosen micro-batch, MB. */
  predictedMb: number;
}

/**
 * Of the budget, what the predicted peak may fill: the rest is kept for what sampling every
 * millisecond misses and what a line through two points does not foresee (a 123M model's
 * steps peaked 4–5% above the prediction, docs/benchmarks.md).
 */
export const BUDGET_FILL = 0.9;

/**
 * The largest divisor d of `batchSize` whose predicted peak, oneRow + (d − 1)·perRow (a line
 * through the peaks `measure` gives for one and two rows), fills at most BUDGET_FILL of
 * `budgetMb`. Divisors keep every micro-batch the same size, so each row weighs the same in
 * the gradient. Returns undefined when not even one row fits.
 */
export async function chooseMicroBatch(budgetMb: number, batchSize: number, measure: (rows: number) => Promise<number>): Promise<MicroBatchChoice | undefined> {
  const oneRowMb = await measure(1);
  const perRowMb = batchSize > 1 ? Math.max(0, (await measure(2)) - oneRowMb) : 0;
  const predict = (rows: number) => oneRowMb + (rows - 1) * perRowMb;
  const divisors = Array.from({ length: batchSize }, (_, i) => i + 1).filter((d) => batchSize % d === 0);
  const fitting = divisors.filter((d) => predict(d) <= BUDGET_FILL * budgetMb);
  if (fitting.length === 0) return undefined;
  const microBatch = fitting[fitting.length - 1];
  return { microBatch, oneRowMb, perRowMb, predictedMb: predict(microBatch) };
}

/**
 * The budget's cap, after a step: the message to stop the run with when the step's peak
 * passed the budget, else undefined. Nothing can stop an allocation half-way, so the run stops
 * after the step, with a checkpoint, before a larger one gets the process killed.
 */
export function overBudget(peakMb: number, budgetMb: number, step: number, names: { budget: string; batchSize: string; seqLen: string; resume: string }): string | undefined {
  if (peakMb <= budgetMb) return undefined;
  return `${names.budget}: step ${step} peaked at ${Math.round(peakMb)} MB, over the budget of ${budgetMb} MB; the run stopped with a checkpoint after it: ${names.resume} with a larger budget, or start again with a smaller ${names.batchSize} or ${names.seqLen}`;
}
