/**
 * The memory budget's parts: the sampler sees a peak while the main thread is busy (as it is
 * while ONNX Runtime runs), the choice of micro-batch from two measurements, and the cap.
 */
import { chooseMicroBatch, overBudget, RssSampler } from './memory';

test('the sampler catches a peak the main thread holds and frees while it never yields', async () => {
  const sampler = new RssSampler();
  try {
    await new Promise((r) => setTimeout(r, 50)); // the worker starts
    const rssBefore = process.memoryUsage.rss() / 1e6;
    const peak = await sampler.during(async () => {
      const before = sampler.samples;
      const block = Buffer.alloc(300e6, 1); // 300 MB, every page touched
      const until = Date.now() + 100;
      while (Date.now() < until); // busy: no event loop turn on this thread
      expect(sampler.samples).toBeGreaterThan(before);
      expect(block[123]).toBe(1);
    });
    expect(peak).toBeGreaterThan(rssBefore + 250);
  } finally {
    await sampler.stop();
  }
});

describe('chooseMicroBatch', () => {
  /** A step whose peak is 1000 MB plus 300 MB a row. */
  const measure = async (rows: number) => 1000 + 300 * rows;

  test('takes the largest divisor of the batch predicted to fit', async () => {
    // The predicted peak may fill BUDGET_FILL (0.9) of the budget.
    expect(await chooseMicroBatch(10_000, 8, measure)).toEqual({ microBatch: 8, oneRowMb: 1300, perRowMb: 300, predictedMb: 3400 });
    expect(await chooseMicroBatch(3400 / 0.9, 8, measure)).toMatchObject({ microBatch: 8 });
    expect(await chooseMicroBatch(3000, 8, measure)).toMatchObject({ microBatch: 4, predictedMb: 2200 }); // 2500 for 5 rows would fit, but 5 does not divide 8
    expect(await chooseMicroBatch(2200, 6, measure)).toMatchObject({ microBatch: 3 }); // 1900 for 3 rows; 4 and 5 do not divide 6
    expect(await chooseMicroBatch(1500, 8, measure)).toMatchObject({ microBatch: 1 });
  });

  test('measures two rows only for a batch of more than one, and gives undefined when one row does not fit', async () => {
    const asked: number[] = [];
    expect(await chooseMicroBatch(5000, 1, async (rows) => (asked.push(rows), measure(rows)))).toMatchObject({ microBatch: 1, perRowMb: 0 });
    expect(asked).toEqual([1]);
    expect(await chooseMicroBatch(1440, 8, measure)).toBeUndefined(); // 1300 > 0.9 · 1440
    // A second row measured as costing nothing (memory already held) predicts one row's peak for all.
    expect(await chooseMicroBatch(1600, 4, async (rows) => (rows === 1 ? 1400 : 1390))).toMatchObject({ microBatch: 4, perRowMb: 0 });
  });
});

test('overBudget: a step over the budget stops the run with the setting named as the caller names it', () => {
  const names = { budget: '--memory-budget-mb', batchSize: '--batch-size', seqLen: '--seq-len', resume: '--resume' };
  expect(overBudget(2000, 2000, 3, names)).toBeUndefined();
  expect(overBudget(2400.4, 2000, 3, names)).toBe(
    '--memory-budget-mb: step 3 peaked at 2400 MB, over the budget of 2000 MB; the run stopped with a checkpoint after it: --resume with a larger budget, or start again with a smaller --batch-size or --seq-len',
  );
});
