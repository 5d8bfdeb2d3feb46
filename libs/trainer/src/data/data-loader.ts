/**
 * @module data-loader
 * Batches of packed training rows, in an order shuffled afresh each epoch by a seeded
 * generator. Its position (epoch, row within the epoch, and the generator's state at the
 * epoch's start) is a small JSON value: restoring it continues with exactly the same batches.
 */
import { Rng, Tensor } from '@carve/engine';
import { DataError } from './data-error';
import { PackedSplit, TrainingData } from './training-data';

export interface TrainingBatch {
  readonly tokens: Tensor<'int64'>; // [B, T]
  readonly targets: Tensor<'int64'>; // [B, T], the ignore index where nothing is learned
}

/** Where a DataLoader stands; plain JSON, for checkpoints. */
export interface DataLoaderState {
  /** Epochs completed. */
  epoch: number;
  /** Rows of this epoch already given. */
  index: number;
  /** The shuffle generator's state before this epoch's shuffle. */
  rng: number[];
  /** Training rows of the data it was taken from, checked on restore. */
  sequences: number;
}

/** Keeps the shuffles' stream apart from the split's, which uses the seed itself. */
const SHUFFLE_SALT = 0x5bd1e995;

export class DataLoader {
  private readonly rng: Rng;
  private order: number[] = [];
  private epochRng: number[] = [];
  private epochIndex = 0;
  private index = 0;

  constructor(readonly data: TrainingData) {
    if (data.train.rows === 0) throw new DataError('data loader: the training data has no sequences', 'data_too_short');
    this.rng = new Rng((data.seed ^ SHUFFLE_SALT) >>> 0);
    this.startEpoch(0);
  }

  /** Epochs completed so far. */
  get epoch(): number {
    return this.epochIndex;
  }

  /**
   * The next `batchSize` training rows. A batch that runs past the end of an epoch takes
   * the rest from the next one, shuffled afresh, so every batch is full.
   */
  nextBatch(batchSize: number): TrainingBatch {
    checkBatchSize(batchSize);
    const rows: number[] = [];
    for (let b = 0; b < batchSize; b++) {
      rows.push(this.order[this.index++]);
      if (this.index === this.order.length) this.startEpoch(this.epochIndex + 1);
    }
    return gather(this.data.train, rows, this.data.seqLen);
  }

  /** Every validation row once, in order, `batchSize` at a time (the last batch may be smaller). */
  *validationBatches(batchSize: number): Generator<TrainingBatch> {
    checkBatchSize(batchSize);
    const { rows } = this.data.validation;
    for (let start = 0; start < rows; start += batchSize) {
      const picked = Array.from({ length: Math.min(batchSize, rows - start) }, (_, i) => start + i);
      yield gather(this.data.validation, picked, this.data.seqLen);
    }
  }

  getState(): DataLoaderState {
    return { epoch: this.epochIndex, index: this.index, rng: [...this.epochRng], sequences: this.data.train.rows };
  }

  /** Continues from a state that getState gave, on the same data. */
  setState(state: DataLoaderState): void {
    const rows = this.data.train.rows;
    const problems: string[] = [];
    const { epoch, index, rng, sequences } = state ?? ({} as Partial<DataLoaderState>);
    if (sequences !== rows) problems.push(`it is for ${sequences} training sequences, this data has ${rows}; the data or its options changed`);
    if (!Number.isInteger(epoch) || epoch < 0) problems.push(`epoch must be an integer >= 0, got ${epoch}`);
    if (!Number.isInteger(index) || index < 0 || index >= rows) problems.push(`index must be an integer in [0, ${rows}), got ${index}`);
    if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
      problems.push(`rng must be 4 unsigned 32-bit integers, got ${JSON.stringify(rng)}`);
    }
    if (problems.length) throw new DataError(`data loader state: ${problems.join('; ')}`, 'invalid_data_state', problems);
    this.rng.setState(rng);
    this.startEpoch(epoch);
    this.index = index;
  }

  private startEpoch(epoch: number): void {
    this.epochRng = this.rng.getState();
    this.order = this.rng.shuffle(Array.from({ length: this.data.train.rows }, (_, i) => i));
    this.epochIndex = epoch;
    this.index = 0;
  }
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError(`batch size must be a positive integer, got ${batchSize}`, 'invalid_data_options');
}

function gather(split: PackedSplit, rows: readonly number[], seqLen: number): TrainingBatch {
  const B = rows.length;
  const tokens = new BigInt64Array(B * seqLen); // [B, T]
  const targets = new BigInt64Array(B * seqLen); // [B, T]
  rows.forEach((r, b) => {
    for (let t = 0; t < seqLen; t++) {
      tokens[b * seqLen + t] = BigInt(split.tokens[r * seqLen + t]);
      targets[b * seqLen + t] = BigInt(split.targets[r * seqLen + t]);
    }
  });
  return { tokens: new Tensor('int64', [B, seqLen], tokens), targets: new Tensor('int64', [B, seqLen], targets) };
}
