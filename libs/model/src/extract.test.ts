import { Rng, Runtime, Tensor } from '@carve/engine';
import { Checkpoint } from './checkpoint/checkpoint';
import { loadLlama2c } from './checkpoint/llama2c';
import { isMultiHead, ModelConfig, resolveConfig, rotaryDims } from './config';
import { countParams } from './count';
import { extractSubNetwork } from './extract';
import { initWeights, weightFeeds } from './init';
import { buildModelGraph } from './model-graph';
import { SubNetwork } from './subnetwork';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';

const SAMPLES = 100;

/** A uniformly random valid sub-network: any widths, any non-empty set of layers. */
function randomSubNetwork(c: ModelConfig, rng: Rng): SubNetwork {
  const pick = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
  const evenHead = c.position === 'rope' && rotaryDims(c) === c.headSize;
  const headSize = evenHead ? 2 * pick(1, c.headSize / 2) : pick(1, c.headSize);
  const indices = Array.from({ length: c.nLayer }, (_, i) => i).filter(() => rng.next() < 0.6);
  if (indices.length === 0) indices.push(rng.int(c.nLayer));
  const step = isMultiHead(c) ? 1 : c.nQueryGroups;
  return {
    embedDim: pick(1, c.nEmbd),
    headSize,
    layers: indices.map((index) => ({ index, heads: step * pick(1, c.nHead / step), mlpHidden: pick(1, c.mlpHidden) })),
  };
}

async function logitsOf(runtime: Runtime, model: Checkpoint, tokens: Tensor, subNetwork?: SubNetwork): Promise<Float32Array> {
  const m = buildModelGraph(model.config, { subNetwork });
  m.graph.output({ logits: m.logits });
  const session = await runtime.compile(m.graph);
  const out = await session.run({ tokens, ...weightFeeds(m, model.weights) });
  await session.dispose();
  return out.logits.data as Float32Array;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Checks SAMPLES random sub-networks: extracted logits equal the super-network's, counts equal sizes. */
async function checkExtraction(model: Checkpoint, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const runtime = new Runtime({ intraOpThreads: 1 });
  const T = 12;
  const tokens = Tensor.from('int64', [2, T], Array.from({ length: 2 * T }, () => rng.int(model.config.vocabSize)));
  let worst = 0;
  const failures: string[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const s = randomSubNetwork(model.config, rng);
    const extracted = extractSubNetwork(model, s);
    const diff = maxAbsDiff(await logitsOf(runtime, model, tokens, s), await logitsOf(runtime, extracted, tokens));
    worst = Math.max(worst, diff);
    const stored = [...extracted.weights.values()].reduce((n, w) => n + w.length, 0);
    if (!(diff <= 1e-5)) failures.push(`sample ${i} ${JSON.stringify(s)}: logits differ by ${diff}`);
    if (countParams(model.config, s) !== stored) failures.push(`sample ${i}: countParams ${countParams(model.config, s)} != ${stored} stored`);
  }
  await runtime.dispose();
  console.log(`${model.config.name}: ${SAMPLES} random sub-networks, worst max |logit difference| ${worst.toExponential(2)}`);
  expect(failures).toEqual([]);
}

describeWithAssets('extracted sub-networks of stories260K (GQA, interleaved RoPE)', () => {
  test('compute what the super-network computes for them, and count what they store', async () => {
    await checkExtraction(loadLlama2c(STORIES260K), 11);
  });
});

test('extracted sub-networks of a random GPT-2-style model compute what the super-network computes', async () => {
  const config = resolveConfig({ name: 'gpt2-tiny', family: 'gpt2', vocabSize: 50, nEmbd: 32, nLayer: 3, nHead: 4, blockSize: 16 });
  await checkExtraction({ config, weights: initWeights(config, new Rng(3), 0.2) }, 12);
});
