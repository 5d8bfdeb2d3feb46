/**
 * The key/value-cached graph against the full recompute: prefilling a few tokens, then
 * feeding single tokens and a chunk with the presents fed back, gives the logits the whole
 * sequence gives at the same positions, for every family and for sub-networks; and
 * generation with the cache picks the tokens the recompute picks.
 */
import { evaluateDim, Rng, Runtime, Tensor } from '@carve/engine';
import { loadLlama2c } from './checkpoint/llama2c';
import { isMultiHead, ModelConfigInput, resolveConfig } from './config';
import { initWeights, weightFeeds } from './init';
import { GenerateOptions, LanguageModel } from './language-model';
import { buildModelGraph } from './model-graph';
import { sampleToken } from './sampling';
import { assertSubNetwork, fullSubNetwork, SubNetwork } from './subnetwork';
import { Checkpoint } from './checkpoint/checkpoint';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';

const B = 2;
/** Tokens of each call of the cached graph: a prefill, single tokens, then a chunk. */
const CALLS = [5, 1, 1, 1, 1, 3];
const N = CALLS.reduce((a, b) => a + b, 0);

const LLAMA: ModelConfigInput = { name: 'llama-tiny', family: 'llama', vocabSize: 64, nEmbd: 32, nLayer: 3, nHead: 4, mlpHidden: 48, blockSize: 16, ropeTheta: 100 };
const GQA: ModelConfigInput = { ...LLAMA, name: 'gqa-tiny', nHead: 8, nQueryGroups: 4, headSize: 8, ropeLayout: 'interleaved', tiedEmbeddings: true };
const GPT2: ModelConfigInput = { name: 'gpt2-tiny', family: 'gpt2', vocabSize: 64, nEmbd: 32, nLayer: 3, nHead: 4, blockSize: 16 };
const NEOX: ModelConfigInput = { name: 'neox-tiny', family: 'gpt_neox', vocabSize: 64, nEmbd: 32, nLayer: 3, nHead: 4, rotaryFraction: 0.25, mlpHidden: 64, ropeTheta: 1000, blockSize: 16 };

/** Under MHA the key/value groups follow each layer's heads, so this sub-network's caches differ in width. */
const GPT2_SUB: SubNetwork = { embedDim: 20, headSize: 5, layers: [{ index: 0, heads: 3, mlpHidden: 50 }, { index: 1, heads: 1, mlpHidden: 128 }] };

interface Case {
  name: string;
  input: ModelConfigInput;
  subNetwork?: SubNetwork;
}

const CASES: Case[] = [
  { name: 'Llama, rotate-half RoPE', input: LLAMA },
  { name: 'Llama, interleaved RoPE', input: { ...LLAMA, name: 'llama2c-tiny', ropeLayout: 'interleaved', tiedEmbeddings: true } },
  { name: 'GQA Llama (stories260K-like)', input: GQA },
  { name: 'GPT-2, learned positions', input: GPT2 },
  { name: 'GPT-NeoX, partial rotary and parallel residual', input: NEOX },
  { name: 'a sub-network of the GQA Llama', input: GQA, subNetwork: { embedDim: 24, headSize: 6, layers: [{ index: 0, heads: 4, mlpHidden: 20 }, { index: 2, heads: 8, mlpHidden: 48 }] } },
  { name: 'a sub-network of GPT-2', input: GPT2, subNetwork: GPT2_SUB },
];

function randomModel(input: ModelConfigInput, seed: number): Checkpoint {
  const config = resolveConfig(input);
  return { config, weights: initWeights(config, new Rng(seed), 0.2) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** The logits [B·N, V] of the whole sequence at once. */
async function fullLogits(runtime: Runtime, model: Checkpoint, tokens: number[], subNetwork?: SubNetwork): Promise<Float64Array> {
  const m = buildModelGraph(model.config, { subNetwork });
  m.graph.output({ logits: m.logits });
  const out = await (await runtime.compile(m.graph)).run({ ...weightFeeds(m, model.weights), tokens: Tensor.from('int64', [B, N], tokens) });
  return Float64Array.from(out.logits.data as Float32Array);
}

describe('the key/value-cached graph', () => {
  test.each(CASES)('$name: prefill then decode gives the logits of the full recompute', async ({ input, subNetwork }) => {
    const model = randomModel(input, 5);
    const c = model.config;
    const s = subNetwork ?? fullSubNetwork(c);
    assertSubNetwork(c, s);
    const rng = new Rng(9);
    const tokens = Array.from({ length: B * N }, () => rng.int(c.vocabSize));
    const runtime = new Runtime();
    const expected = await fullLogits(runtime, model, tokens, subNetwork);
    const m = buildModelGraph(c, { subNetwork, kvCache: true });
    m.graph.output({ logits: m.logits, ...Object.fromEntries(m.present) });
    const session = await runtime.compile(m.graph);
    const feeds = weightFeeds(m, model.weights);

    // Rows not yet written hold arbitrary finite values: the mask must hide them.
    let past: Record<string, Tensor> = {};
    const wantShapes: Record<string, number[]> = {};
    for (const { index, heads } of s.layers) {
      for (const kind of ['key', 'value']) {
        const shape = [B, isMultiHead(c) ? heads : c.nQueryGroups, N, s.headSize];
        expect(m.past.get(`past.${index}.${kind}`)!.shape.map((d) => evaluateDim(d, { B, S: N }))).toEqual(shape);
        past[`past.${index}.${kind}`] = new Tensor('float32', shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, 3)));
        wantShapes[`present.${index}.${kind}`] = shape;
      }
    }
    const garbage = { ...past };

    const V = m.config.vocabSize;
    let P = 0;
    let worst = 0;
    for (const T of CALLS) {
      const chunk = Array.from({ length: B }, (_, b) => tokens.slice(b * N + P, b * N + P + T)).flat();
      const out = await session.run({ ...feeds, ...past, tokens: Tensor.from('int64', [B, T], chunk), past_length: Tensor.scalar('int64', BigInt(P)) });
      for (let b = 0; b < B; b++) {
        const got = out.logits.data.subarray(b * T * V, (b + 1) * T * V) as Float32Array;
        worst = Math.max(worst, maxAbsDiff(got, expected.subarray((b * N + P) * V, (b * N + P + T) * V)));
      }
      P += T;
      past = {};
      for (const [name, shape] of Object.entries(wantShapes)) {
        const present = out[name];
        expect(present.shape).toEqual(shape);
        // Rows from P on are the past's, untouched.
        const [, g, S, hs] = shape;
        for (let row = 0; row < B * g; row++) {
          const from = (row * S + P) * hs;
          const to = (row + 1) * S * hs;
          expect(present.data.subarray(from, to)).toEqual(garbage[name.replace('present.', 'past.')].data.subarray(from, to));
        }
        past[name.replace('present.', 'past.')] = present;
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5);

    // The caches built step by step equal those of one prefill over the whole sequence.
    const once = await session.run({ ...feeds, ...garbage, tokens: Tensor.from('int64', [B, N], tokens), past_length: Tensor.scalar('int64', 0n) });
    for (const name of Object.keys(wantShapes)) expect(maxAbsDiff(past[name.replace('present.', 'past.')].data as Float32Array, once[name].data as Float32Array)).toBeLessThanOrEqual(1e-5);
    await runtime.dispose();
  });

  test('in float64 the cached logits equal the recompute to rounding', async () => {
    const model = randomModel(GQA, 6);
    const c = model.config;
    const rng = new Rng(2);
    const tokens = Array.from({ length: N }, () => rng.int(c.vocabSize));
    // float64 graphs need the basic optimization level (see buildModelGraph's dtype).
    const runtime = new Runtime({ optimizationLevel: 'basic' });
    const full = buildModelGraph(c, { dtype: 'float64', batch: 1 });
    full.graph.output({ logits: full.logits });
    const expected = (await (await runtime.compile(full.graph)).run({ ...weightFeeds(full, model.weights), tokens: Tensor.from('int64', [1, N], tokens) })).logits.data as Float64Array;
    const m = buildModelGraph(c, { dtype: 'float64', batch: 1, seq: 1, kvCache: true });
    m.graph.output({ logits: m.logits, ...Object.fromEntries(m.present) });
    const session = await runtime.compile(m.graph);
    const feeds = weightFeeds(m, model.weights);
    let past: Record<string, Tensor> = Object.fromEntries([...m.past].map(([name, v]) => {
      const shape = v.shape.map((d) => evaluateDim(d, { S: N }));
      return [name, new Tensor('float64', shape, new Float64Array(shape.reduce((a, b) => a * b, 1)))];
    }));
    let worst = 0;
    for (let P = 0; P < N; P++) {
      const out = await session.run({ ...feeds, ...past, tokens: Tensor.from('int64', [1, 1], [tokens[P]]), past_length: Tensor.scalar('int64', BigInt(P)) });
      worst = Math.max(worst, maxAbsDiff(out.logits.data as Float64Array, expected.subarray(P * c.vocabSize, (P + 1) * c.vocabSize)));
      past = Object.fromEntries([...m.past.keys()].map((name) => [name, out[name.replace('past.', 'present.')]]));
    }
    await runtime.dispose();
    expect(worst).toBeLessThan(1e-12);
  });

  test('without kvCache the graph has no cache inputs or outputs', () => {
    const m = buildModelGraph(resolveConfig(GQA));
    expect([m.past.size, m.present.size, m.pastLength]).toEqual([0, 0, undefined]);
    expect(m.graph.inputs.map((v) => v.name).filter((n) => n.startsWith('past'))).toEqual([]);
  });
});

/** Generation as it was before the cache: every step recomputes the cropped context. */
async function recomputeGenerate(lm: LanguageModel, prompt: number[], options: GenerateOptions): Promise<number[]> {
  const rng = new Rng(options.seed ?? 0);
  const ids = [...prompt];
  const V = lm.config.vocabSize;
  for (let i = 0; i < options.maxNewTokens; i++) {
    const context = ids.slice(-lm.config.blockSize);
    const logits = (await lm.logits(Tensor.from('int64', [1, context.length], context))).data as Float32Array;
    const next = sampleToken(logits.subarray((context.length - 1) * V, context.length * V), rng, options);
    ids.push(next);
    if (next === options.stopToken) break;
  }
  return ids.slice(prompt.length);
}

describe('generation with the cache', () => {
  // 30 new tokens after a 3-token prompt run past the block size of 16, into the recompute.
  test.each<Case>([
    { name: 'GQA Llama', input: GQA },
    { name: 'GPT-2', input: GPT2 },
    { name: 'a sub-network of GPT-2', input: GPT2, subNetwork: GPT2_SUB },
  ])('$name: picks the tokens the recompute picks, greedily and sampling', async ({ input, subNetwork }) => {
    const lm = await LanguageModel.create(randomModel(input, 8), { subNetwork });
    for (const options of [{ maxNewTokens: 30 }, { maxNewTokens: 30, temperature: 0.8, seed: 3 }, { maxNewTokens: 1 }]) {
      expect(await lm.generate([1, 2, 3], options)).toEqual(await recomputeGenerate(lm, [1, 2, 3], options));
    }
    const long = Array.from({ length: 20 }, (_, i) => i); // longer than the block: no cache at all
    expect(await lm.generate(long, { maxNewTokens: 4 })).toEqual(await recomputeGenerate(lm, long, { maxNewTokens: 4 }));
    await lm.dispose();
  });
});

describeWithAssets('stories260K generation with the cache', () => {
  test('200 greedy tokens from BOS equal the recompute', async () => {
    const lm = await LanguageModel.create(loadLlama2c(STORIES260K));
    expect(await lm.generate([1], { maxNewTokens: 200 })).toEqual(await recomputeGenerate(lm, [1], { maxNewTokens: 200 }));
    await lm.dispose();
  });
});
