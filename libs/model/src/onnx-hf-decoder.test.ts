/**
 * The Hugging Face decoder layout of modelToOnnx against the LanguageModel: prefilling from
 * an empty past and decoding through the presents gives the full recompute's logits, for
 * every family and for a sub-network whose head size differs from hidden/heads; and a
 * left-padded row of a batch gives the logits that row gives alone.
 */
import { Rng, Tensor } from '@carve/engine';
import * as ort from 'onnxruntime-node';
import { Checkpoint } from './checkpoint/checkpoint';
import { ModelConfigInput, resolveConfig } from './config';
import { extractSubNetwork } from './extract';
import { initWeights } from './init';
import { LanguageModel } from './language-model';
import { modelToOnnx } from './onnx-export';
import { emptyPast, int64 } from '@carve/test-hf-onnx';

const MODELS: ModelConfigInput[] = [
  { name: 'tiny-llama', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 },
  { name: 'tiny-llama2c', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, mlpHidden: 24, blockSize: 32, ropeLayout: 'interleaved', tiedEmbeddings: true },
  { name: 'tiny-gpt2', family: 'gpt2', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, blockSize: 32 },
  { name: 'tiny-neox', family: 'gpt_neox', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 2, rotaryFraction: 0.5, blockSize: 32 },
];

function randomModel(input: ModelConfigInput, seed: number): Checkpoint {
  const config = resolveConfig(input);
  return { config, weights: initWeights(config, new Rng(seed), 0.3) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Runs `tokens` [1, n] through the session in calls of the given lengths; the logits [n, V] of every position. */
async function decodeInCalls(session: ort.InferenceSession, tokens: number[], calls: number[]): Promise<Float32Array[]> {
  let past = emptyPast(session, 1);
  const rows: Float32Array[] = [];
  let start = 0;
  for (const length of calls) {
    const ids = tokens.slice(start, start + length);
    const out = await session.run({
      ...past,
      input_ids: int64(ids, [1, length]),
      attention_mask: int64(new Array(start + length).fill(1), [1, start + length]),
      position_ids: int64(ids.map((_, i) => start + i), [1, length]),
    });
    const V = out.logits.dims[2];
    expect(out.logits.dims).toEqual([1, length, V]);
    const data = out.logits.data as Float32Array;
    for (let t = 0; t < length; t++) rows.push(data.slice(t * V, (t + 1) * V));
    past = Object.fromEntries(Object.keys(past).map((name) => [name, out[name.replace('past_key_values', 'present')]]));
    start += length;
  }
  return rows;
}

async function referenceRows(model: Checkpoint, tokens: number[]): Promise<Float32Array[]> {
  const lm = await LanguageModel.create(model);
  const logits = (await lm.logits(Tensor.from('int64', [1, tokens.length], tokens))).data as Float32Array;
  await lm.dispose();
  const V = model.config.vocabSize;
  return tokens.map((_, t) => logits.slice(t * V, (t + 1) * V));
}

describe('modelToOnnx with hfDecoder', () => {
  test.each(MODELS.map((c) => [c.name, c] as const))('%s: prefill and decode through the presents give the full recompute', async (_, input) => {
    const model = randomModel(input, 3);
    const session = await ort.InferenceSession.create(modelToOnnx(model, { hfDecoder: true }));
    const layers = Array.from({ length: model.config.nLayer }, (__, i) => i);
    const cacheNames = (prefix: string) => layers.flatMap((i) => [`${prefix}.${i}.key`, `${prefix}.${i}.value`]);
    expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids', 'position_ids', ...cacheNames('past_key_values')].sort());
    expect([...session.outputNames].sort()).toEqual(['logits', ...cacheNames('present')].sort());
    const rng = new Rng(4);
    const tokens = Array.from({ length: 12 }, () => rng.int(model.config.vocabSize));
    const rows = await decodeInCalls(session, tokens, [5, 1, 1, 3, 1, 1]);
    await session.release();
    const expected = await referenceRows(model, tokens);
    rows.forEach((row, t) => expect(maxAbsDiff(row, expected[t])).toBeLessThanOrEqual(1e-5));
  });

  test('a sub-network with its own head size and fewer layers', async () => {
    const model = randomModel(MODELS[0], 5);
    const sub = extractSubNetwork(model, { embedDim: 12, headSize: 2, layers: [{ index: 1, heads: 2, mlpHidden: 10 }] });
    const session = await ort.InferenceSession.create(modelToOnnx(sub, { hfDecoder: true }));
    expect(session.inputNames.filter((n) => n.startsWith('past_key_values.'))).toEqual(['past_key_values.0.key', 'past_key_values.0.value']);
    const rng = new Rng(6);
    const tokens = Array.from({ length: 9 }, () => rng.int(sub.config.vocabSize));
    const rows = await decodeInCalls(session, tokens, [4, 1, 1, 1, 2]);
    await session.release();
    const expected = await referenceRows(sub, tokens);
    rows.forEach((row, t) => expect(maxAbsDiff(row, expected[t])).toBeLessThanOrEqual(1e-5));
  });

  test('a left-padded row of a batch gives the logits it gives alone', async () => {
    const model = randomModel(MODELS[0], 7);
    const session = await ort.InferenceSession.create(modelToOnnx(model, { hfDecoder: true }));
    const [long, short] = [[5, 9, 2, 7, 1, 3], [8, 4, 6, 2]];
    const pad = long.length - short.length;
    const mask = [...long.map(() => 1), ...new Array(pad).fill(0), ...short.map(() => 1)];
    // transformers.js's position ids: the mask's running sum minus one, 1 where padded.
    const positions = [...long.map((_, i) => i), ...new Array(pad).fill(1), ...short.map((_, i) => i)];
    const out = await session.run({
      ...emptyPast(session, 2),
      input_ids: int64([...long, ...new Array(pad).fill(0), ...short], [2, long.length]),
      attention_mask: int64(mask, [2, long.length]),
      position_ids: int64(positions, [2, long.length]),
    });
    await session.release();
    const V = model.config.vocabSize;
    const data = out.logits.data as Float32Array;
    const [alone, aloneLong] = [await referenceRows(model, short), await referenceRows(model, long)];
    short.forEach((_, t) => expect(maxAbsDiff(data.slice((long.length + pad + t) * V, (long.length + pad + t + 1) * V), alone[t])).toBeLessThanOrEqual(1e-5));
    long.forEach((_, t) => expect(maxAbsDiff(data.slice(t * V, (t + 1) * V), aloneLong[t])).toBeLessThanOrEqual(1e-5));
  });
});
