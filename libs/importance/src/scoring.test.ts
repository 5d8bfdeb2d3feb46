import { Rng } from '@carve/engine';
import { initWeights, resolveConfig } from '@carve/model';
import { CalibrationSet } from './calibration';
import { ImportanceScores, scoreImportance } from './scoring';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 });
const model = { config, weights: initWeights(config, new Rng(1), 0.3) };

function calibration(count: number, seqLen: number, seed: number): CalibrationSet {
  const rng = new Rng(seed);
  const sequences = Array.from({ length: count }, () => Array.from({ length: seqLen + 1 }, () => rng.int(40)));
  return { sequences, record: { files: [], seqLen, samples: count, seed, available: count, windows: sequences.map((_, i) => i) } };
}

/** Largest relative difference over every score. */
function difference(a: ImportanceScores, b: ImportanceScores): number {
  const flat = (s: ImportanceScores) => [...s.heads.flat(2), ...s.neurons.flat(), ...s.channels, ...s.layers];
  const [x, y] = [flat(a), flat(b)];
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1e-6, Math.abs(y[i])));
  return worst;
}

describe('scoreImportance', () => {
  const set = calibration(7, 12, 3);

  test.each(['mean-abs', 'l2', 'variance'] as const)('%s scores do not depend on the batch size or the order of the sequences', async (statistic) => {
    const one = await scoreImportance(model, set, { statistic, batchSize: 1 });
    const three = await scoreImportance(model, set, { statistic, batchSize: 3 });
    const reversed = await scoreImportance(model, { ...set, sequences: [...set.sequences].reverse() }, { statistic, batchSize: 4 });
    expect(difference(three, one)).toBeLessThan(1e-4);
    expect(difference(reversed, one)).toBeLessThan(1e-4);
    expect(one.heads).toHaveLength(3);
    expect(one.heads[0]).toHaveLength(2); // KV groups
    expect(one.heads[0][0]).toHaveLength(2); // queries per group
    expect(one.neurons[0]).toHaveLength(24);
    expect(one.channels).toHaveLength(16);
    expect(one.layers).toHaveLength(3);
    expect([...one.heads.flat(2), ...one.neurons.flat(), ...one.channels].every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
  });

  test('block importance lies in [0, 2] and drop scoring gives the loss increase per layer', async () => {
    const block = await scoreImportance(model, set, { layerScoring: 'block' });
    expect(block.layers.every((v) => v >= 0 && v <= 2)).toBe(true);
    const drop = await scoreImportance(model, set, { layerScoring: 'drop', batchSize: 2 });
    const dropAgain = await scoreImportance(model, set, { layerScoring: 'drop', batchSize: 7 });
    drop.layers.forEach((v, i) => expect(v).toBeCloseTo(dropAgain.layers[i], 4));
  });

  test('bad options are reported together, before any compute', async () => {
    await expect(scoreImportance(model, calibration(1, 40, 1), { statistic: 'median' as never, batchSize: 0 })).rejects.toThrow(
      "importance scoring of 'tiny': unknown statistic 'median' (known: mean-abs, l2, variance); sequence length 40 exceeds the model's context of 32 tokens; batch size must be a positive integer, got 0",
    );
  });
});
