import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Rng, Runtime, Tensor } from '@carve/engine';
import { ModelConfig, ModelConfigInput, resolveConfig } from '../config';
import { presetConfig } from '../families';
import { initWeights, weightFeeds } from '../init';
import { buildModelGraph } from '../model-graph';
import { paramSpecs } from '../params';
import { Checkpoint, halfParamsOf, WeightValues } from './checkpoint';
import { loadCheckpoint, saveHfCheckpoint } from './hf';
import { hfTensorShapes } from './hf-tensors';
import { loadLlama2c } from './llama2c';
import { openSafetensors, TensorData, writeSafetensors } from './safetensors';
import { haveAssets, STORIES260K } from '@carve/test-assets';

const TOLERANCE = 1e-5;

const runtime = new Runtime();
// ONNX Runtime's extended optimizations fuse x·sigmoid(x) into a float32-only kernel.
const runtime64 = new Runtime({ optimizationLevel: 'basic' });
afterAll(async () => {
  await runtime.dispose();
  await runtime64.dispose();
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'hf-checkpoint-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Logits [n, V] of one sequence, computed in `dtype`. */
async function logits(c: ModelConfig, weights: ReadonlyMap<string, WeightValues>, ids: number[], dtype: 'float32' | 'float64'): Promise<ArrayLike<number>> {
  const m = buildModelGraph(c, { dtype, halfParams: halfParamsOf(weights) });
  m.graph.output({ logits: m.logits });
  const out = await (await (dtype === 'float64' ? runtime64 : runtime).compile(m.graph)).run({ tokens: Tensor.from('int64', [1, ids.length], ids), ...weightFeeds(m, weights) });
  return out.logits.data as Float32Array | Float64Array;
}

/** The largest |a − b| of the two models' logits over `sequences`. */
async function maxLogitDiff(a: Checkpoint, b: Checkpoint, sequences: number[][], dtype: 'float32' | 'float64' = 'float32'): Promise<number> {
  let max = 0;
  for (const ids of sequences) {
    const [x, y] = [await logits(a.config, a.weights, ids, dtype), await logits(b.config, b.weights, ids, dtype)];
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  }
  return max;
}

/** initWeights with a large std, then noise on norms and biases too, so no layout mistake can hide behind ones and zeros. */
function randomCheckpoint(input: ModelConfigInput, seed: number): { config: ModelConfig; weights: Map<string, Float32Array> } {
  const config = resolveConfig(input);
  const rng = new Rng(seed);
  const weights = initWeights(config, rng, 0.3);
  for (const spec of paramSpecs(config)) {
    if (spec.init === 'normal') continue;
    const w = weights.get(spec.name)!;
    for (let i = 0; i < w.length; i++) w[i] += rng.normal(0, 0.3);
  }
  return { config, weights };
}

const sequences = (vocab: number, seed: number, lengths = [1, 7, 12]) => {
  const rng = new Rng(seed);
  return lengths.map((n) => Array.from({ length: n }, () => rng.int(vocab)));
};

const small = { vocabSize: 64, nEmbd: 32, nLayer: 2, nHead: 4, blockSize: 16 };
const RANDOM_MODELS: [string, ModelConfigInput][] = [
  ['GPT-2', { ...small, name: 'gpt2-tiny', family: 'gpt2' }],
  ['GPT-2, untied head', { ...small, name: 'gpt2-untied', family: 'gpt2', tiedEmbeddings: false, mlpHidden: 40 }],
  ['GPT-NeoX', { ...small, name: 'neox-tiny', family: 'gpt_neox', mlpHidden: 48, rotaryFraction: 0.5 }],
  ['GPT-NeoX, sequential residual, tanh GELU', { ...small, name: 'neox-seq', family: 'gpt_neox', parallelResidual: false, gelu: 'tanh', tiedEmbeddings: true }],
  ['Qwen2 (q, k, v biases, GQA, tied)', { ...small, name: 'qwen2-tiny', family: 'llama', nQueryGroups: 2, mlpHidden: 48, qkvBias: true, tiedEmbeddings: true, ropeTheta: 1e6 }],
  ['Llama, GQA, untied head', { ...small, name: 'llama-gqa', family: 'llama', nQueryGroups: 2, mlpHidden: 48 }],
  ['Llama, interleaved RoPE, all biases, GQA', { ...small, name: 'llama-interleaved', family: 'llama', nQueryGroups: 2, mlpHidden: 48, bias: true, qkvBias: true, ropeLayout: 'interleaved', ropeTheta: 500 }],
];

describe('Hugging Face checkpoints', () => {
  it.each(RANDOM_MODELS)('round-trips a random %s model with equal logits', async (_, input) => {
    const original = randomCheckpoint(input, 7);
    saveHfCheckpoint(original, dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    const loaded = loadCheckpoint(dir);
    expect(loaded.config).toEqual({ ...original.config, name: nodePath.basename(dir), ropeLayout: 'half' });
    // Only interleaved RoPE changes the weights (q and k permuted); otherwise they come back bit for bit.
    if (original.config.ropeLayout === 'half') expect(loaded.weights).toEqual(original.weights);
    expect(await maxLogitDiff(original, loaded, sequences(input.vocabSize, 1))).toBeLessThanOrEqual(TOLERANCE);
  });

  const storiesTest = haveAssets ? it : it.skip;
  if (!haveAssets) console.warn(`SKIPPED the stories260K round trip: ${STORIES260K} is absent`);
  storiesTest('round-trips stories260K (interleaved RoPE) through Hugging Face layout with equal logits', async () => {
    const original = loadLlama2c(STORIES260K);
    expect(original.config).toEqual(presetConfig('stories260K'));
    saveHfCheckpoint(original, dir);
    expect(JSON.parse(fs.readFileSync(nodePath.join(dir, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'llama', num_key_value_heads: 4, head_dim: 8, tie_word_embeddings: true });
    const loaded = loadCheckpoint(dir);
    expect(loaded.config.ropeLayout).toBe('half');
    // From BOS along the README's greedy ids, plus random ids.
    const greedy = [1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426];
    const seqs = [greedy, greedy.slice(0, 5), ...sequences(512, 2, [9, 32])];
    // Permuting q and k reorders the sums of q·k, so float32 graphs of the two round
    // differently, by about 1e-5 on logits up to 20 (a float32 step there is 1.9e-6). The
    // same weights computed in float64 show what the conversion itself changes.
    const float32 = await maxLogitDiff(original, loaded, seqs);
    const float64 = await maxLogitDiff(original, loaded, seqs, 'float64');
    console.log(`stories260K through Hugging Face layout: max |logit difference| ${float64.toExponential(2)} in float64, ${float32.toExponential(2)} in float32`);
    expect(float64).toBeLessThanOrEqual(TOLERANCE);
    // The permutation matters: the saved weights under interleaved RoPE compute something else.
    expect(await maxLogitDiff(original, { ...loaded, config: original.config }, seqs)).toBeGreaterThan(0.1);
  });

  it('saves and loads sharded weights', () => {
    const original = randomCheckpoint(RANDOM_MODELS[5][1], 3);
    saveHfCheckpoint(original, dir, { maxShardBytes: 40_000 });
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
    expect(loadCheckpoint(dir).weights).toEqual(original.weights);
    saveHfCheckpoint(original, dir); // back to one file: the stale index goes
    expect(fs.readdirSync(dir)).not.toContain('model.safetensors.index.json');
  });

  it.each(RANDOM_MODELS)('hfTensorShapes lists the tensors a saved %s holds, with their shapes, in file order', (_, input) => {
    const original = randomCheckpoint(input, 4);
    saveHfCheckpoint(original, dir);
    const file = openSafetensors(nodePath.join(dir, 'model.safetensors'));
    expect(hfTensorShapes(original.config)).toEqual(file.names.map((n) => [n, file.entry(n)!.shape]));
  });

  it('with specialTokens writes the ids into config.json and generation_config.json; without weights, the configs alone', () => {
    const original = randomCheckpoint(RANDOM_MODELS[5][1], 3);
    saveHfCheckpoint(original, dir, { specialTokens: { bos: 1, eos: 2 }, weights: false });
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'generation_config.json']);
    expect(JSON.parse(fs.readFileSync(nodePath.join(dir, 'config.json'), 'utf8'))).toMatchObject({ bos_token_id: 1, eos_token_id: 2 });
    expect(JSON.parse(fs.readFileSync(nodePath.join(dir, 'generation_config.json'), 'utf8'))).toEqual({ bos_token_id: 1, eos_token_id: 2 });
  });

  it("writes extra metadata into every safetensors file, keeping format 'pt'", () => {
    const original = randomCheckpoint(RANDOM_MODELS[5][1], 3);
    const metadata = { orders: '{"layers":[1,0]}', format: 'tf' };
    saveHfCheckpoint(original, dir, { metadata });
    expect(openSafetensors(nodePath.join(dir, 'model.safetensors')).metadata).toEqual({ orders: '{"layers":[1,0]}', format: 'pt' });
    saveHfCheckpoint(original, dir, { metadata, maxShardBytes: 40_000 });
    for (const shard of ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']) {
      expect(openSafetensors(nodePath.join(dir, shard)).metadata).toEqual({ orders: '{"layers":[1,0]}', format: 'pt' });
    }
    expect(loadCheckpoint(dir).weights).toEqual(original.weights);
    saveHfCheckpoint(original, dir); // without the option: only format
    expect(openSafetensors(nodePath.join(dir, 'model.safetensors')).metadata).toEqual({ format: 'pt' });
  });

  it('loads GPT-2 names without the transformer. prefix, dropping buffers and a tied head copy', () => {
    const original = randomCheckpoint(RANDOM_MODELS[0][1], 4);
    saveHfCheckpoint(original, dir);
    const path = nodePath.join(dir, 'model.safetensors');
    const file = openSafetensors(path);
    const renamed: [string, TensorData][] = file.names.map((n) => [n.replace(/^transformer\./, ''), { shape: file.entry(n)!.shape, data: file.read(n) }]);
    renamed.push(['h.0.attn.bias', { shape: [1, 1, 16, 16], data: new Float32Array(256) }], ['lm_head.weight', { shape: [64, 32], data: new Float32Array(64 * 32) }]);
    writeSafetensors(path, renamed);
    expect(loadCheckpoint(dir).weights).toEqual(original.weights);
  });

  describe('tensor layouts follow Hugging Face', () => {
    const hfTensors = (c: Checkpoint) => {
      saveHfCheckpoint(c, dir);
      const file = openSafetensors(nodePath.join(dir, 'model.safetensors'));
      return (name: string) => ({ shape: file.entry(name)!.shape, data: file.read(name) });
    };

    it("GPT-2: Conv1D weights stay [in, out]; c_attn is q | k | v along the output axis", () => {
      const { weights } = randomCheckpoint(RANDOM_MODELS[0][1], 5);
      const hf = hfTensors({ config: resolveConfig(RANDOM_MODELS[0][1]), weights });
      const E = 32;
      const cAttn = hf('transformer.h.1.attn.c_attn.weight');
      expect(cAttn.shape).toEqual([E, 3 * E]);
      const [q, k, v] = ['q', 'k', 'v'].map((p) => weights.get(`layers.1.attn.${p}.weight`)!);
      for (const [i, j] of [[0, 0], [3, 5], [31, 31]]) {
        expect(cAttn.data[i * 3 * E + j]).toBe(q[i * E + j]);
        expect(cAttn.data[i * 3 * E + E + j]).toBe(k[i * E + j]);
        expect(cAttn.data[i * 3 * E + 2 * E + j]).toBe(v[i * E + j]);
      }
      expect(hf('transformer.h.1.attn.c_attn.bias').data.subarray(E, 2 * E)).toEqual(weights.get('layers.1.attn.k.bias'));
      expect(hf('transformer.h.0.mlp.c_fc.weight')).toEqual({ shape: [E, 4 * E], data: weights.get('layers.0.mlp.fc.weight') });
    });

    it('GPT-NeoX: query_key_value rows are [q k v] per head, each [out, in]', () => {
      const input = RANDOM_MODELS[2][1];
      const { weights } = randomCheckpoint(input, 6);
      const hf = hfTensors({ config: resolveConfig(input), weights });
      const [E, hs] = [32, 8];
      const qkv = hf('gpt_neox.layers.0.attention.query_key_value.weight');
      const qkvBias = hf('gpt_neox.layers.0.attention.query_key_value.bias');
      expect(qkv.shape).toEqual([3 * E, E]);
      ['q', 'k', 'v'].forEach((part, p) => {
        const ours = weights.get(`layers.0.attn.${part}.weight`)!; // [in, out]
        for (const [head, d, i] of [[0, 0, 0], [2, 5, 7], [3, 7, 31]]) {
          const row = head * 3 * hs + p * hs + d;
          expect(qkv.data[row * E + i]).toBe(ours[i * E + head * hs + d]);
          expect(qkvBias.data[row]).toBe(weights.get(`layers.0.attn.${part}.bias`)![head * hs + d]);
        }
      });
    });

    it('Llama: nn.Linear weights are [out, in], the untied head too', () => {
      const input = RANDOM_MODELS[5][1];
      const { weights } = randomCheckpoint(input, 8);
      const hf = hfTensors({ config: resolveConfig(input), weights });
      const kProj = hf('model.layers.1.self_attn.k_proj.weight');
      expect(kProj.shape).toEqual([16, 32]); // 2 KV heads of 8
      expect(kProj.data[5 * 32 + 9]).toBe(weights.get('layers.1.attn.k.weight')![9 * 16 + 5]);
      const head = hf('lm_head.weight');
      expect(head.shape).toEqual([64, 32]);
      expect(head.data[40 * 32 + 3]).toBe(weights.get('lm_head.weight')![3 * 64 + 40]);
    });
  });

  describe('errors say where and what', () => {
    const saveRandom = () => saveHfCheckpoint(randomCheckpoint(RANDOM_MODELS[5][1], 9), dir);
    const rewrite = (edit: (tensors: [string, TensorData][]) => [string, TensorData][]) => {
      const path = nodePath.join(dir, 'model.safetensors');
      const file = openSafetensors(path);
      writeSafetensors(path, edit(file.names.map((n) => [n, { shape: file.entry(n)!.shape, data: file.read(n) }])));
    };

    it('a missing path, folder, config.json or weights', () => {
      const none = nodePath.join(dir, 'none');
      expect(() => loadCheckpoint(none)).toThrow(`${none}: no such file or folder; pass a Hugging Face checkpoint folder (config.json and model.safetensors) or a llama2.c .bin file`);
      expect(() => loadCheckpoint(dir)).toThrow(`${dir}: no config.json; a Hugging Face checkpoint folder needs config.json next to its safetensors`);
      saveRandom();
      fs.renameSync(nodePath.join(dir, 'model.safetensors'), nodePath.join(dir, 'pytorch_model.bin'));
      expect(() => loadCheckpoint(dir)).toThrow(`${dir}: no model.safetensors or model.safetensors.index.json; it has pytorch_model.bin, which is not read`);
      fs.writeFileSync(nodePath.join(dir, 'x.safetensors'), '');
      expect(() => loadCheckpoint(nodePath.join(dir, 'x.safetensors'))).toThrow('not a checkpoint this loader reads; pass the folder that holds it: its config.json is needed too');
    });

    it('an unknown model_type in config.json', () => {
      saveRandom();
      fs.writeFileSync(nodePath.join(dir, 'config.json'), JSON.stringify({ model_type: 'mamba' }));
      expect(() => loadCheckpoint(dir)).toThrow(`${nodePath.join(dir, 'config.json')}: unsupported model_type "mamba" (supported: llama, mistral, qwen2, gpt2, gpt_neox)`);
    });

    it('a missing tensor, a wrong shape and an unknown tensor, all at once', () => {
      saveRandom();
      const path = nodePath.join(dir, 'model.safetensors');
      rewrite((ts) => [
        ...ts.filter(([n]) => n !== 'model.layers.1.mlp.up_proj.weight' && n !== 'model.norm.weight'),
        ['model.norm.weight', { shape: [31], data: new Float32Array(31) }],
        ['model.layers.0.self_attn.q_norm.weight', { shape: [8], data: new Float32Array(8) }],
      ]);
      expect(() => loadCheckpoint(dir)).toThrow(
        `${dir}: the tensors do not match config.json (llama): missing 'model.layers.1.mlp.up_proj.weight'; ` +
          `'model.norm.weight' in ${path} has shape [31], config.json implies [32]; unexpected tensor 'model.layers.0.self_attn.q_norm.weight' in ${path}`,
      );
    });

    it('a truncated model.safetensors', () => {
      saveRandom();
      const path = nodePath.join(dir, 'model.safetensors');
      fs.truncateSync(path, fs.statSync(path).size - 100);
      expect(() => loadCheckpoint(dir)).toThrow(`${path}: invalid safetensors header: tensor 'lm_head.weight': data_offsets`);
    });

    it('a config that Hugging Face cannot express is refused before anything is written', () => {
      const c = randomCheckpoint({ ...small, name: 'uneven', family: 'llama', mlpHidden: 48, layerMlpHidden: [48, 24] }, 1);
      expect(() => saveHfCheckpoint(c, nodePath.join(dir, 'out'))).toThrow(`config 'uneven' cannot be saved as a Hugging Face llama model: layers of different widths`);
      expect(fs.existsSync(nodePath.join(dir, 'out'))).toBe(false);
      const incomplete = randomCheckpoint(RANDOM_MODELS[5][1], 1);
      incomplete.weights.delete('norm_f.weight');
      expect(() => saveHfCheckpoint(incomplete, dir)).toThrow(`config 'llama-gqa': the weights do not match config 'llama-gqa': missing 'norm_f.weight'`);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });
});
