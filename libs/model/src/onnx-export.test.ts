import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng, Tensor } from '@carve/engine';
import * as ort from 'onnxruntime-node';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';
import { Checkpoint } from './checkpoint/checkpoint';
import { loadLlama2c } from './checkpoint/llama2c';
import { ModelConfigInput, resolveConfig } from './config';
import { extractSubNetwork } from './extract';
import { initWeights } from './init';
import { LanguageModel } from './language-model';
import { modelToOnnx, saveOnnx } from './onnx-export';

/** Logits of an ONNX file (its path or bytes) in a plain InferenceSession, the way a user of the file would run it. */
async function onnxLogits(source: Uint8Array | string, tokens: Tensor<'int64'>): Promise<{ logits: Float32Array; inputs: readonly string[]; outputs: readonly string[] }> {
  const session = typeof source === 'string' ? await ort.InferenceSession.create(source) : await ort.InferenceSession.create(source);
  const out = await session.run({ tokens: new ort.Tensor('int64', tokens.data, tokens.shape as number[]) });
  const result = { logits: out.logits.data as Float32Array, inputs: session.inputNames, outputs: session.outputNames };
  await session.release();
  return result;
}

async function referenceLogits(model: Checkpoint, tokens: Tensor<'int64'>): Promise<Float32Array> {
  const lm = await LanguageModel.create(model);
  const logits = (await lm.logits(tokens)).data as Float32Array;
  await lm.dispose();
  return logits;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function randomTokens(rng: Rng, batch: number, T: number, vocab: number): Tensor<'int64'> {
  return Tensor.from('int64', [batch, T], Array.from({ length: batch * T }, () => rng.int(vocab)));
}

const FAMILIES: ModelConfigInput[] = [
  { name: 'tiny-llama', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 },
  { name: 'tiny-gpt2', family: 'gpt2', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 4, blockSize: 16 },
  { name: 'tiny-neox', family: 'gpt_neox', vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 2, blockSize: 16 },
];

describe('modelToOnnx', () => {
  test.each(FAMILIES.map((c) => [c.name, c] as const))('%s: the file alone gives the LanguageModel logits', async (_, input) => {
    const config = resolveConfig(input);
    const model = { config, weights: initWeights(config, new Rng(3), 0.3) };
    const tokens = randomTokens(new Rng(5), 2, 11, config.vocabSize);
    const exported = await onnxLogits(modelToOnnx(model), tokens);
    expect(exported.inputs).toEqual(['tokens']);
    expect(exported.outputs).toEqual(['logits']);
    expect(maxAbsDiff(exported.logits, await referenceLogits(model, tokens))).toBeLessThanOrEqual(1e-5);
  });

  test('with kvCache, a prompt fed in two calls through the cache gives the LanguageModel logits', async () => {
    const config = resolveConfig(FAMILIES[0]);
    const model = { config, weights: initWeights(config, new Rng(9), 0.3) };
    const [B, T, first] = [2, 10, 6];
    const tokens = randomTokens(new Rng(10), B, T, config.vocabSize);
    const session = await ort.InferenceSession.create(modelToOnnx(model, { kvCache: true }));
    const groups = config.nQueryGroups;
    const names = Array.from({ length: config.nLayer }, (_, l) => [`${l}.key`, `${l}.value`]).flat();
    expect([...session.inputNames].sort()).toEqual(['past_length', 'tokens', ...names.map((n) => `past.${n}`)].sort());
    expect([...session.outputNames].sort()).toEqual(['logits', ...names.map((n) => `present.${n}`)].sort());
    let cache: Record<string, ort.Tensor> = Object.fromEntries(names.map((n) => [`past.${n}`, new ort.Tensor('float32', new Float32Array(B * groups * T * config.headSize), [B, groups, T, config.headSize])]));
    const logits: Float32Array[] = [];
    for (const [start, end] of [
      [0, first],
      [first, T],
    ]) {
      const part = BigInt64Array.from({ length: B * (end - start) }, (_, i) => tokens.data[Math.floor(i / (end - start)) * T + start + (i % (end - start))]);
      const out = await session.run({ ...cache, tokens: new ort.Tensor('int64', part, [B, end - start]), past_length: new ort.Tensor('int64', BigInt64Array.of(BigInt(start)), []) });
      logits.push(out.logits.data as Float32Array);
      cache = Object.fromEntries(names.map((n) => [`past.${n}`, out[`present.${n}`]]));
    }
    await session.release();
    // Reassemble [B·T, V] rows from the calls' [B·t, V] rows, sequence by sequence.
    const V = config.vocabSize;
    const joined = new Float32Array(B * T * V);
    for (let b = 0; b < B; b++) {
      joined.set(logits[0].subarray(b * first * V, (b + 1) * first * V), b * T * V);
      joined.set(logits[1].subarray(b * (T - first) * V, (b + 1) * (T - first) * V), (b * T + first) * V);
    }
    expect(maxAbsDiff(joined, await referenceLogits(model, tokens))).toBeLessThanOrEqual(1e-5);
  });

  test('saveOnnx writes a file that loads by path and leaves no temporary file', async () => {
    const config = resolveConfig(FAMILIES[0]);
    const model = { config, weights: initWeights(config, new Rng(7), 0.3) };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-export-'));
    try {
      const file = path.join(dir, 'model.onnx');
      const bytes = modelToOnnx(model);
      saveOnnx(file, bytes);
      expect(fs.readdirSync(dir)).toEqual(['model.onnx']);
      expect(new Uint8Array(fs.readFileSync(file))).toEqual(bytes);
      const tokens = randomTokens(new Rng(8), 1, 6, config.vocabSize);
      expect(maxAbsDiff((await onnxLogits(file, tokens)).logits, await referenceLogits(model, tokens))).toBeLessThanOrEqual(1e-5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing weight is named before anything is written', () => {
    const config = resolveConfig(FAMILIES[0]);
    const weights = initWeights(config, new Rng(1));
    weights.delete('norm_f.weight');
    expect(() => modelToOnnx({ config, weights })).toThrow(/no values for 'norm_f.weight'/);
  });
});

describeWithAssets('modelToOnnx on stories260K', () => {
  test('the exported model and an exported sub-network give the LanguageModel logits', async () => {
    const model = loadLlama2c(STORIES260K);
    const tokens = randomTokens(new Rng(11), 2, 64, model.config.vocabSize);
    expect(maxAbsDiff((await onnxLogits(modelToOnnx(model), tokens)).logits, await referenceLogits(model, tokens))).toBeLessThanOrEqual(1e-5);
    const sub = extractSubNetwork(model, { embedDim: 48, headSize: 6, layers: [0, 2, 4].map((index) => ({ index, heads: 4, mlpHidden: 86 })) });
    expect(maxAbsDiff((await onnxLogits(modelToOnnx(sub), tokens)).logits, await referenceLogits(sub, tokens))).toBeLessThanOrEqual(1e-5);
  });
});
