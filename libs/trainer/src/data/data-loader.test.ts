import { DataError } from './data-error';
import { DataLoader, DataLoaderState, TrainingBatch } from './data-loader';
import { PackedSplit, TrainingData } from './training-data';

/** Rows of T = 2 that name themselves: tokens [r, r], targets [r + 100, -100]. */
function split(rows: number, first = 0): PackedSplit {
  const r = Array.from({ length: rows }, (_, i) => first + i);
  return { rows, tokens: Int32Array.from(r.flatMap((x) => [x, x])), targets: Int32Array.from(r.flatMap((x) => [x + 100, -100])) };
}
function data(seed = 3, trainRows = 10, validationRows = 5): TrainingData {
  const train = split(trainRows);
  const validation = split(validationRows, 1000);
  const stats = (s: PackedSplit) => ({ documents: s.rows, tokens: 3 * s.rows, sequences: s.rows });
  return { seqLen: 2, seed, train, validation, record: { files: [], seqLen: 2, seed, validationFraction: 0.3, ignoreIndex: -100, train: stats(train), validation: stats(validation) } };
}
/** The rows a batch holds, by their first token. */
const rowsOf = (b: TrainingBatch) => b.tokens.toNumbers().filter((_, i) => i % 2 === 0);
const take = (loader: DataLoader, n: number, batchSize: number) => Array.from({ length: n }, () => rowsOf(loader.nextBatch(batchSize)));

describe('DataLoader', () => {
  it('gives int64 [B, T] batches of tokens and masked targets, each row once per epoch', () => {
    const loader = new DataLoader(data());
    const batch = loader.nextBatch(4);
    expect(batch.tokens.dtype).toBe('int64');
    expect(batch.tokens.shape).toEqual([4, 2]);
    expect(batch.targets.shape).toEqual([4, 2]);
    expect(batch.targets.toNumbers()).toEqual(rowsOf(batch).flatMap((r) => [r + 100, -100]));
    const epoch0 = [...rowsOf(batch), ...take(loader, 1, 6).flat()];
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch0).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(loader.epoch).toBe(1);
    const epoch1 = take(loader, 2, 5).flat();
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch1).not.toEqual(epoch0);
  });

  it('fills a batch that crosses an epoch from the next epoch', () => {
    const loader = new DataLoader(data());
    const rows = take(loader, 4, 3);
    expect(rows.map((r) => r.length)).toEqual([3, 3, 3, 3]);
    expect(rows.flat().slice(0, 10).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(loader.getState()).toMatchObject({ epoch: 1, index: 2 });
  });

  it('gives the same batches for the same seed, and others for another', () => {
    expect(take(new DataLoader(data(3)), 8, 3)).toEqual(take(new DataLoader(data(3)), 8, 3));
    expect(take(new DataLoader(data(4)), 8, 3)).not.toEqual(take(new DataLoader(data(3)), 8, 3));
  });

  it.each([0, 1, 3, 4, 7])('continues with the same batches from a state saved after %i batches', (k) => {
    const loader = new DataLoader(data());
    take(loader, k, 3);
    const state = JSON.parse(JSON.stringify(loader.getState())) as DataLoaderState;
    const resumed = new DataLoader(data());
    take(resumed, 2, 4); // a position that setState must overwrite
    resumed.setState(state);
    expect(take(resumed, 9, 3)).toEqual(take(loader, 9, 3));
    expect(resumed.getState()).toEqual(loader.getState());
  });

  it('gives every validation row once, in order, the last batch smaller', () => {
    const batches = [...new DataLoader(data()).validationBatches(2)];
    expect(batches.map((b) => b.tokens.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(batches.flatMap(rowsOf)).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(batches[2].targets.toNumbers()).toEqual([1104, -100]);
    expect([...new DataLoader(data(3, 10, 0)).validationBatches(2)]).toEqual([]);
  });

  it('rejects a bad batch size and a bad or foreign state', () => {
    const loader = new DataLoader(data());
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        return e as DataError;
      }
      throw new Error('expected a DataError');
    };
    expect(thrown(() => loader.nextBatch(0)).message).toBe('batch size must be a positive integer, got 0');
    expect(thrown(() => loader.validationBatches(1.5).next()).message).toBe('batch size must be a positive integer, got 1.5');
    const e = thrown(() => loader.setState({ epoch: -1, index: 10, rng: [1, 2, 3], sequences: 10 }));
    expect(e.code).toBe('invalid_data_state');
    expect(e.message).toBe('data loader state: epoch must be an integer >= 0, got -1; index must be an integer in [0, 10), got 10; rng must be 4 unsigned 32-bit integers, got [1,2,3]');
    const foreign = new DataLoader(data(3, 12)).getState();
    expect(thrown(() => loader.setState(foreign)).message).toBe('data loader state: it is for 12 training sequences, this data has 10; the data or its options changed');
    expect(thrown(() => new DataLoader(data(3, 0))).message).toBe('data loader: the training data has no sequences');
  });
});
