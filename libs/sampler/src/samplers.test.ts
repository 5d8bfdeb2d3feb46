import { Rng } from '@carve/engine';
import { loadLlama2c, presetConfig, resolveConfig, SubNetwork, subNetworkIssues, weightMagnitude } from '@carve/model';
import { jointSpace } from '@carve/search-space';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';
import { histogramSvg, parameterHistogram } from './histogram';
import { paramsOf, Sampler, SamplerContext } from './sampler';
import { calibratedSampler, drawFrom, gridSampler, paramGridSampler, randomSampler, sandwichSampler } from './samplers';

const config = presetConfig('stories260K');
const space = jointSpace(config);
const context = (seed: number, extra: Partial<SamplerContext> = {}): SamplerContext => ({ space, rng: new Rng(seed), ...extra });
const magnitudeFree = (s: SubNetwork) => paramsOf(space, s); // a stand-in magnitude for tests without weights

const factories: Record<string, (seed: number) => Sampler> = {
  random: (seed) => randomSampler(context(seed)),
  grid: (seed) => gridSampler(context(seed)),
  'param-grid': (seed) => paramGridSampler(context(seed)),
  calibrated: (seed) => calibratedSampler(context(seed, { weightMagnitude: magnitudeFree })),
  sandwich: (seed) => sandwichSampler(context(seed)),
  'calibrated draws': (seed) => drawFrom(calibratedSampler(context(seed, { weightMagnitude: magnitudeFree })), context(seed + 1)),
};

describe.each(Object.entries(factories))('%s sampler', (_name, make) => {
  test('every sub-network is valid and in the space, and the same seed gives the same sequence', async () => {
    const draws = [...(await make(1).sample(300)), ...(await make(1).sample(40))];
    expect(draws.length).toBeGreaterThan(0);
    for (const s of draws) {
      expect(subNetworkIssues(config, s)).toEqual([]);
      expect(space.issues(s)).toEqual([]);
    }
    expect(await make(7).sample(50)).toEqual(await make(7).sample(50));
  });

  test('a bad count is refused', async () => {
    await expect(make(1).sample(0)).rejects.toThrow('the number of sub-networks must be a positive integer, got 0');
  });
});

describe('parameter coverage (the paper’s Figure 3)', () => {
  test('random sampling is skewed to small networks; the calibrated grid covers every bin', async () => {
    const random = parameterHistogram(space, await randomSampler(context(3)).sample(5000));
    const grid = await calibratedSampler(context(3, { weightMagnitude: magnitudeFree })).sample(100);
    const calibrated = parameterHistogram(space, grid);
    const half = random.counts.length >> 1;
    const lower = random.counts.slice(0, half).reduce((a, b) => a + b, 0);
    const upper = random.counts.slice(half + 1).reduce((a, b) => a + b, 0);
    console.log(`random (5000 draws): ${random.counts.join(' ')}\ncalibrated grid (${grid.length}): ${calibrated.counts.join(' ')}`);
    expect(lower).toBeGreaterThan(2 * upper);
    expect(calibrated.counts.every((c) => c >= 1)).toBe(true);
    expect(grid[0]).toEqual(space.smallest());
    expect(grid[grid.length - 1]).toEqual(space.largest());
    const svg = histogramSvg(calibrated, 'calibrated grid');
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(21);
  });

  test('the sandwich gives the largest and the smallest first', async () => {
    const [largest, smallest, ...rest] = await sandwichSampler(context(1)).sample(5);
    expect(largest).toEqual(space.largest());
    expect(smallest).toEqual(space.smallest());
    expect(rest).toHaveLength(3);
    await expect(sandwichSampler(context(1)).sample(1)).rejects.toThrow("sampler 'sandwich': needs at least 2 sub-networks per call");
  });

  test('bins that cannot be filled are named, and sampling stops', async () => {
    const tiny = resolveConfig({ name: 'tiny', family: 'gpt2', vocabSize: 10, nEmbd: 8, nLayer: 1, nHead: 1, blockSize: 4 });
    const few = jointSpace(tiny, { embedDim: [4, 8], heads: [1], headSize: [8], mlpHidden: [32], depth: [1] });
    await expect(paramGridSampler({ space: few, rng: new Rng(1) }, { bins: 5 }).sample(5)).rejects.toThrow(
      /sampler 'param-grid': after \d+ random draws, 3 of 5 parameter bins stayed empty \(.* parameters\): the space has few or no sub-networks of those sizes/,
    );
  });
});

describeWithAssets('calibrated grid of stories260K by weight magnitude', () => {
  test('keeps, per bin, the candidate with the largest weights', async () => {
    const model = loadLlama2c(STORIES260K);
    const magnitude = weightMagnitude(model);
    const grid = await calibratedSampler(context(5, { weightMagnitude: magnitude }), { perBin: 3 }).sample(100);
    expect(grid.length).toBeGreaterThanOrEqual(21);
    expect(magnitude(space.largest())).toBeGreaterThan(magnitude(space.smallest()));
  });
});
