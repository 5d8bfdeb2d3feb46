import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng, Tensor } from '@carve/engine';
import { Checkpoint, countParams, fullSubNetwork, initLora, initWeights, LanguageModel, loadCheckpoint, LoraConfig, resolveConfig, SubNetwork } from '@carve/model';
import { haveAssets, TOK512 } from '@carve/test-assets';
import { hfDecoderLogits } from '@carve/test-hf-onnx';
import { fileSha256 } from '../../stages';
import { exportModels, ModelsIndex } from './export-models';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-export-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Vocabulary 512 so that the stories260K tokenizer fits when the assets are present.
const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 512, nEmbd: 16, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 });
const model: Checkpoint = { config, weights: initWeights(config, new Rng(1), 0.3) };
const loraConfig: LoraConfig = { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'o', 'mlp'] };
const adapters = initLora(config, loraConfig, new Rng(2));
// Fresh adapters have B = 0 and change nothing; random B makes the merge matter.
const rng = new Rng(3);
for (const [name, b] of adapters) if (name.endsWith('lora_b')) b.forEach((_, i) => (b[i] = rng.normal(0, 0.5)));
const lora = { config: loraConfig, adapters };

const cut: SubNetwork = { embedDim: 12, headSize: 2, layers: [{ index: 0, heads: 2, mlpHidden: 12 }, { index: 2, heads: 2, mlpHidden: 12 }] };
const members = [
  { name: 'full', subNetwork: fullSubNetwork(config), objectives: { loss: 1 } },
  { name: 'cut', subNetwork: cut, objectives: { loss: 2 } },
];
const tokens = Tensor.from('int64', [2, 9], Array.from({ length: 18 }, (_, i) => (i * 37 + 5) % 512));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((d, x, i) => Math.max(d, Math.abs(x - b[i])), 0);
}

async function superNetworkLogits(s: SubNetwork): Promise<Float32Array> {
  const lm = await LanguageModel.create(model, { subNetwork: s, lora });
  const logits = (await lm.logits(tokens)).data as Float32Array;
  await lm.dispose();
  return logits;
}

describe('exportModels', () => {
  const run = path.join(tmp, 'run');
  let index: ModelsIndex;
  beforeAll(async () => {
    index = await exportModels({ model, lora, tokenizer: haveAssets ? TOK512 : undefined, members, formats: ['hf', 'onnx'] }, run);
  });

  test('each model folder holds the Hugging Face checkpoint, the tokenizer and onnx/model.onnx', () => {
    const tokenizer = haveAssets ? ['generation_config.json', 'tokenizer.json', 'tokenizer_config.json'] : [];
    for (const { name } of members) {
      expect((fs.readdirSync(path.join(run, 'models', name), { recursive: true }) as string[]).sort()).toEqual(['config.json', 'model.safetensors', 'onnx', path.join('onnx', 'model.onnx'), ...tokenizer].sort());
    }
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.'))).toEqual([]); // no temporary folder left
  });

  test.each(members.map((m) => [m.name, m.subNetwork] as const))('%s: the safetensors loads and gives the super-network logits with adapters', async (name, s) => {
    const loaded = loadCheckpoint(path.join(run, 'models', name));
    const lm = await LanguageModel.create(loaded);
    const logits = (await lm.logits(tokens)).data as Float32Array;
    await lm.dispose();
    expect(maxAbsDiff(logits, await superNetworkLogits(s))).toBeLessThanOrEqual(1e-5);
  });

  test.each(members.map((m) => [m.name, m.subNetwork] as const))('%s: onnx/model.onnx alone in onnxruntime-node gives the same logits', async (name, s) => {
    const [B, T] = tokens.shape as number[];
    const rows = Array.from({ length: B }, (_, b) => Array.from(tokens.data.subarray(b * T, (b + 1) * T), Number));
    const out = await hfDecoderLogits(path.join(run, 'models', name, 'onnx', 'model.onnx'), rows);
    expect(out.dims).toEqual([B, T, config.vocabSize]);
    expect(maxAbsDiff(out.logits, await superNetworkLogits(s))).toBeLessThanOrEqual(1e-5);
  });

  test('index.json lists each model with its files (bytes, sha256), params and sub-network', () => {
    const json = JSON.parse(fs.readFileSync(path.join(run, 'models', 'index.json'), 'utf8')) as ModelsIndex;
    expect(json).toEqual(index);
    expect(json.source).toEqual({ name: 'tiny', family: 'llama', params: countParams(config) });
    expect(json.lora).toBe(true);
    expect(json.models.map((m) => m.name)).toEqual(['full', 'cut']);
    for (const [i, m] of json.models.entries()) {
      expect(m.params).toBe(countParams(config, members[i].subNetwork));
      expect(m.subNetwork).toEqual(members[i].subNetwork);
      expect(m.objectives).toEqual(members[i].objectives);
      for (const [file, { bytes, sha256 }] of Object.entries(m.files)) {
        const where = path.join(run, 'models', m.name, file);
        expect([bytes, sha256]).toEqual([fs.statSync(where).size, fileSha256(where)]);
      }
    }
  });

  test('a second export replaces the first whole', async () => {
    await exportModels({ model, members: [members[1]], formats: ['hf'] }, run);
    expect(fs.readdirSync(path.join(run, 'models')).sort()).toEqual(['cut', 'index.json']);
    expect(fs.readdirSync(path.join(run, 'models', 'cut')).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  test('a member Hugging Face cannot express is refused before anything is written', async () => {
    const uneven: SubNetwork = { ...cut, layers: [{ index: 0, heads: 2, mlpHidden: 12 }, { index: 1, heads: 4, mlpHidden: 12 }] };
    const out = path.join(tmp, 'uneven');
    await expect(exportModels({ model, members: [{ name: 'uneven', subNetwork: uneven }], formats: ['hf', 'onnx'] }, out)).rejects.toThrow(/^export: uneven: .*layers of different widths/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('names must be distinct folder names', async () => {
    const twice = [members[0], { ...members[1], name: 'full' }];
    await expect(exportModels({ model, members: twice, formats: ['hf'] }, path.join(tmp, 'twice'))).rejects.toThrow(/distinct folder names.*: full$/);
    await expect(exportModels({ model, members: [{ ...members[0], name: '../up' }], formats: ['hf'] }, path.join(tmp, 'up'))).rejects.toThrow(/\.\.\/up/);
  });

  test('gguf: model-f16.gguf beside the checkpoint; a format a member cannot take is refused, naming it, before anything is written', async () => {
    const tokenizerPath = path.resolve(__dirname, '../../../../../models/carve-sotu-1m');
    const sotu = loadCheckpoint(tokenizerPath);
    const out = path.join(tmp, 'gguf');
    const gguf = await exportModels({ model: sotu, tokenizer: tokenizerPath, members: [{ name: 'full', subNetwork: fullSubNetwork(sotu.config) }], formats: ['hf', 'gguf'] }, out);
    expect(Object.keys(gguf.models[0].files).sort()).toEqual(['config.json', 'generation_config.json', 'model-f16.gguf', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    // Without 'hf' the folder keeps its configs and tokenizer, and no safetensors is written.
    const alone = await exportModels({ model: sotu, tokenizer: tokenizerPath, members: [{ name: 'full', subNetwork: fullSubNetwork(sotu.config) }], formats: ['gguf'], ggufType: 'f32' }, path.join(tmp, 'gguf-alone'));
    expect(Object.keys(alone.models[0].files).sort()).toEqual(['config.json', 'generation_config.json', 'model-f32.gguf', 'tokenizer.json', 'tokenizer_config.json']);
    const gpt2 = resolveConfig({ name: 'g', family: 'gpt2', vocabSize: 512, nEmbd: 16, nLayer: 1, nHead: 2, blockSize: 16 });
    const refused = path.join(tmp, 'gguf-gpt2');
    await expect(exportModels({ model: { config: gpt2, weights: initWeights(gpt2, new Rng(1)) }, tokenizer: tokenizerPath, members: [{ name: 'g', subNetwork: fullSubNetwork(gpt2) }], formats: ['hf', 'gguf'] }, refused)).rejects.toThrow(/^export: g: GGUF: family 'gpt2' is not supported/);
    await expect(exportModels({ model, members: [members[0]], formats: ['hf', 'gguf'] }, refused)).rejects.toThrow(/GGUF format needs the tokenizer/);
    await expect(exportModels({ model, members: [members[0]], formats: ['hf', 'tflite' as 'hf'] }, refused)).rejects.toThrow(/unknown format 'tflite'/);
    expect(fs.existsSync(refused)).toBe(false);
  });
});
