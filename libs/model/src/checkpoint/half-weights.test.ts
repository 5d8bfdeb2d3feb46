/**
 * 16-bit checkpoints kept in 16 bits: F16 and BF16 safetensors load as HalfValues (BF16
 * converted exactly in half's range, a tensor beyond it left float32), save back as F16,
 * survive the transforms that only move elements (sub-network extraction, RoPE layout), and
 * run through graphs that cast them, giving exactly the logits of their float32 decoding.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromHalf, Rng, Runtime, Tensor, toHalf } from '@carve/engine';
import { resolveConfig } from '../config';
import { extractSubNetwork } from '../extract';
import { SubNetwork } from '../subnetwork';
import { initWeights } from '../init';
import { LanguageModel } from '../language-model';
import { initLora, LoraConfig, mergeLora } from '../lora';
import { modelToOnnx } from '../onnx-export';
import { Checkpoint, float32Of, float32Weights, HalfValues, WeightValues } from './checkpoint';
import { loadCheckpoint, saveHfCheckpoint } from './hf';
import { openSafetensors } from './safetensors';
import { toInterleavedRope } from './rope-layout';

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 64, nEmbd: 32, nLayer: 2, nHead: 4, nQueryGroups: 2, headSize: 8, mlpHidden: 48, blockSize: 32 });
const float32 = initWeights(config, new Rng(1), 0.3);
/** The same model with every weight rounded to half and kept as half bits. */
const half: Checkpoint = { config, weights: new Map([...float32].map(([name, w]) => [name, new HalfValues(toHalf(w))])) };
/** Its float32 decoding: what the 16-bit model must compute exactly. */
const decoded: Checkpoint = { config, weights: float32Weights(half.weights) };
const tokens = Tensor.from('int64', [2, 12], Array.from({ length: 24 }, (_, i) => (i * 7 + 3) % 64));

const runtime = new Runtime();
afterAll(() => runtime.dispose());

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'half-weights-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function logits(model: Checkpoint, options: Parameters<typeof LanguageModel.create>[1] = {}): Promise<Float32Array> {
  const lm = await LanguageModel.create(model, { runtime, ...options });
  return (await lm.logits(tokens)).data as Float32Array;
}

const bitsOf = (w: WeightValues | undefined) => {
  expect(w).toBeInstanceOf(HalfValues);
  return (w as HalfValues).bits;
};

describe('16-bit weights', () => {
  test('an F16 checkpoint saves as F16 and loads back bit for bit, or decoded with dtype float32', () => {
    saveHfCheckpoint(half, dir);
    const file = openSafetensors(nodePath.join(dir, 'model.safetensors'));
    expect(new Set(file.names.map((n) => file.entry(n)!.dtype))).toEqual(new Set(['F16']));
    expect(fs.statSync(file.path).size).toBeLessThan(2.1 * config.vocabSize * config.nEmbd + 2 * 60_000);
    const loaded = loadCheckpoint(dir);
    for (const [name, w] of half.weights) expect(bitsOf(loaded.weights.get(name))).toEqual((w as HalfValues).bits);
    const wide = loadCheckpoint(dir, { dtype: 'float32' });
    for (const [name, w] of decoded.weights) expect(wide.weights.get(name)).toEqual(w);
  });

  test('BF16 loads as half where every value fits, exactly in half range, and as float32 where one does not', () => {
    // transformers' tensors of the model, truncated to BF16; the final norm scaled past half's largest value.
    saveHfCheckpoint(decoded, dir);
    const f32 = openSafetensors(nodePath.join(dir, 'model.safetensors'));
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    const parts: Buffer[] = [];
    let offset = 0;
    for (const name of f32.names) {
      const values = f32.read(name).map((v) => (name === 'model.norm.weight' ? v * 1e6 : v));
      const bits = Uint16Array.from(new Uint32Array(values.buffer), (w) => w >>> 16);
      header[name] = { dtype: 'BF16', shape: f32.entry(name)!.shape, data_offsets: [offset, offset + bits.byteLength] };
      parts.push(Buffer.from(bits.buffer));
      offset += bits.byteLength;
    }
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    fs.writeFileSync(nodePath.join(dir, 'model.safetensors'), Buffer.concat([length, json, ...parts]));

    const exact = loadCheckpoint(dir, { dtype: 'float32' }).weights; // BF16 decodes exactly
    const loaded = loadCheckpoint(dir).weights;
    expect(loaded.get('norm_f.weight')).toBeInstanceOf(Float32Array); // 1e6 is past 65504
    expect(loaded.get('norm_f.weight')).toEqual(exact.get('norm_f.weight'));
    for (const [name, w] of loaded) {
      if (name === 'norm_f.weight') continue;
      const want = float32Of(exact.get(name)!);
      // Weights of std 0.3 lie in half's normal range but for a few tiny ones, whose error is at most 2^-25.
      const wrong = Array.from(fromHalf(bitsOf(w))).filter((v, i) => Math.abs(v - want[i]) > (Math.abs(want[i]) >= 2 ** -14 ? 0 : 2 ** -25));
      expect(wrong).toEqual([]);
    }
  });

  test('graphs cast them: logits, a sub-network, LoRA and the ONNX export equal those of the float32 decoding', async () => {
    expect(await logits(half)).toEqual(await logits(decoded));
    const subNetwork: SubNetwork = { embedDim: 24, headSize: 6, layers: [{ index: 1, heads: 2, mlpHidden: 24 }] };
    expect(await logits(half, { subNetwork })).toEqual(await logits(decoded, { subNetwork }));
    const loraConfig: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'mlp'] };
    const adapters = initLora(config, loraConfig, new Rng(2));
    for (const a of adapters.values()) for (let i = 0; i < a.length; i++) a[i] = 0.1 * Math.sin(i + 1); // B is zero at init
    const withLora = { config: loraConfig, adapters };
    expect(await logits(half, { lora: withLora })).toEqual(await logits(decoded, { lora: withLora }));

    const bytes = modelToOnnx(half);
    const params = [...float32.values()].reduce((a, w) => a + w.length, 0);
    expect(modelToOnnx(decoded).length - bytes.length).toBeGreaterThan(1.9 * params); // 2-byte initializers, a Cast each
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ tokens: new ort.Tensor('int64', tokens.data, tokens.shape as number[]) });
    expect(out.logits.data).toEqual(await logits(decoded));
  });

  test('moving elements keeps 16 bits; merging LoRA widens only the merged weights', () => {
    const subNetwork: SubNetwork = { embedDim: 16, headSize: 4, layers: [{ index: 0, heads: 2, mlpHidden: 16 }] };
    const sub = extractSubNetwork(half, subNetwork);
    for (const w of sub.weights.values()) expect(w).toBeInstanceOf(HalfValues);
    const subDecoded = extractSubNetwork(decoded, subNetwork);
    for (const [name, w] of sub.weights) expect(float32Of(w)).toEqual(subDecoded.weights.get(name));
    const interleaved = toInterleavedRope(half);
    expect(float32Of(interleaved.weights.get('layers.0.attn.q.weight')!)).toEqual(toInterleavedRope(decoded).weights.get('layers.0.attn.q.weight'));
    const lora: LoraConfig = { rank: 2, alpha: 2, dropout: 0, targets: ['q'] };
    const merged = mergeLora(config, half.weights, initLora(config, lora, new Rng(3)), lora);
    expect(merged.get('layers.0.attn.q.weight')).toBeInstanceOf(Float32Array);
    expect(merged.get('layers.0.attn.k.weight')).toBeInstanceOf(HalfValues);
  });
});
