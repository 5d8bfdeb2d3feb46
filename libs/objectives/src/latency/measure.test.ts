import { resolveDevice, Rng } from '@carve/engine';
import { countParams, fullSubNetwork, initWeights, loadLlama2c, resolveConfig, SubNetwork } from '@carve/model';
import { jointSpace } from '@carve/search-space';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';
import { latencyStats, latencyTokens, measureLatencies, measureLatency, percentile, resolveLatencySettings } from './measure';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 });
const model = { config, weights: initWeights(config, new Rng(1), 0.3) };

test('percentiles follow the nearest-rank rule', () => {
  const values = [7, 3, 9, 1, 5, 2, 10, 4, 8, 6];
  expect([10, 50, 90, 100].map((p) => percentile(values, p))).toEqual([1, 5, 9, 10]);
  expect(percentile([4], 50)).toBe(4);
  expect(latencyStats([1, 2, 3, 10])).toEqual({ p50: 2, p90: 10, mean: 4, min: 1 });
  expect(() => percentile([], 50)).toThrow(/no values/);
});

test('token ids are seeded and inside the vocabulary', () => {
  const a = latencyTokens(40, 2, 16, 7);
  expect(a.shape).toEqual([2, 16]);
  expect(latencyTokens(40, 2, 16, 7).data).toEqual(a.data);
  expect(latencyTokens(40, 2, 16, 8).data).not.toEqual(a.data);
  expect([...a.data].every((t) => t >= 0n && t < 40n)).toBe(true);
});

test('settings take defaults from the model and every bad one is named', () => {
  expect(resolveLatencySettings(model)).toEqual({ batch: 1, seqLen: 31, decodeTokens: 1, threads: 1, spinning: false, warmup: 3, repeats: 20, rounds: 1, seed: 0, device: 'cpu' });
  expect(() => resolveLatencySettings(model, { seqLen: 32, threads: 0, repeats: 2, rounds: 3 })).toThrow(/seqLen: 32 is not an integer in \[1, 31\].*threads: 0.*repeats: 2 is not an integer in \[3,/);
  expect(() => resolveLatencySettings(model, { device: 'gpu' as never })).toThrow("device: 'gpu' is not one of auto, cpu, cuda");
});

test('a report has both phases in ms, the settings, the device and the parameter count', async () => {
  const s: SubNetwork = { embedDim: 8, headSize: 2, layers: [{ index: 1, heads: 2, mlpHidden: 12 }] };
  const report = await measureLatency(model, s, { seqLen: 12, decodeTokens: 3, batch: 2, warmup: 1, repeats: 5 });
  for (const phase of [report.prefill, report.decode]) {
    expect(Object.keys(phase).sort()).toEqual(['mean', 'min', 'p50', 'p90']);
    expect(phase.min).toBeGreaterThan(0);
    expect(phase.min).toBeLessThanOrEqual(phase.p50);
    expect(phase.p50).toBeLessThanOrEqual(phase.p90);
  }
  expect(report.settings).toMatchObject({ batch: 2, seqLen: 12, decodeTokens: 3, threads: 1, warmup: 1, repeats: 5 });
  expect(report.params).toBe(countParams(config, s));
  expect(report.device).toMatchObject({ executionProvider: 'cpu', node: process.version, onnxruntime: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  expect(report.device.cores).toBeGreaterThan(0);
  expect(report.device.description).toBe((await resolveDevice('cpu')).description);
});

test("device 'auto' measures on the provider resolveDevice picks, and the report names it", async () => {
  const auto = await resolveDevice('auto');
  const report = await measureLatency(model, fullSubNetwork(config), { seqLen: 8, warmup: 0, repeats: 1, device: 'auto' });
  expect(report.settings.device).toBe('auto');
  expect(report.device).toMatchObject({ executionProvider: auto.provider, description: auto.description });
});

test('interleaved measurement reports each sub-network in the order given', async () => {
  const members = [fullSubNetwork(config), { embedDim: 8, headSize: 2, layers: [{ index: 0, heads: 2, mlpHidden: 6 }] }];
  const reports = await measureLatencies(model, members, { seqLen: 8, warmup: 0, repeats: 3, rounds: 3 });
  expect(reports.map((r) => r.params)).toEqual(members.map((s) => countParams(config, s)));
});

describeWithAssets('latency of stories260K', () => {
  test('the full network is slower than the smallest member of the joint space, in both phases', async () => {
    const stories = loadLlama2c(STORIES260K);
    const [full, smallest] = await measureLatencies(stories, [fullSubNetwork(stories.config), jointSpace(stories.config).smallest()], { repeats: 20, rounds: 2 });
    const row = (name: string, r: typeof full) => `${name}: prefill p50 ${r.prefill.p50.toFixed(3)} ms (min ${r.prefill.min.toFixed(3)}), decode p50 ${r.decode.p50.toFixed(3)} ms/token (min ${r.decode.min.toFixed(3)})`;
    console.log(`stories260K, batch 1, seqLen ${full.settings.seqLen}, 1 thread, ${full.device.cpu}\n${row('full', full)}\n${row('smallest', smallest)}`);
    expect(full.prefill.p50).toBeGreaterThan(smallest.prefill.p50);
    expect(full.decode.p50).toBeGreaterThan(smallest.decode.p50);
  });
});
