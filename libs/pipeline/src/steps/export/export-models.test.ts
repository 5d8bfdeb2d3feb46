import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng, Tensor } from '@carve/engine';
import { Checkpoint, countParams, fullSubNetwork, initLora, initWeights, LanguageModel, loadCheckpoint, LoraConfig, resolveConfig, SubNetwork } from '@carve/model';
import { haveAssets, TOK512 } from '@carve/test-assets';
import * as ort from 'onnxruntime-node';
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
    index = await exportModels({ model, lora, tokenizer: haveAssets ? TOK512 : undefined, members, onnx: true }, run);
  });

  test('each model folder holds the Hugging Face checkpoint, the tokenizer and model.onnx', () => {
    const tokenizer = haveAssets ? ['tokenizer.json', 'tokenizer_config.json'] : [];
    for (const { name } of members) {
      expect(fs.readdirSync(path.join(run, 'models', name)).sort()).toEqual(['config.json', 'model.onnx', 'model.safetensors', ...tokenizer].sort());
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

  test.each(members.map((m) => [m.name, m.subNetwork] as const))('%s: model.onnx alone in onnxruntime-node gives the same logits', async (name, s) => {
    const session = await ort.InferenceSession.create(path.join(run, 'models', name, 'model.onnx'));
    const out = await session.run({ tokens: new ort.Tensor('int64', tokens.data, tokens.shape as number[]) });
    await session.release();
    expect(maxAbsDiff(out.logits.data as Float32Array, await superNetworkLogits(s))).toBeLessThanOrEqual(1e-5);
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
    await exportModels({ model, members: [members[1]], onnx: false }, run);
    expect(fs.readdirSync(path.join(run, 'models')).sort()).toEqual(['cut', 'index.json']);
    expect(fs.readdirSync(path.join(run, 'models', 'cut')).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  test('a member Hugging Face cannot express is refused before anything is written', async () => {
    const uneven: SubNetwork = { ...cut, layers: [{ index: 0, heads: 2, mlpHidden: 12 }, { index: 1, heads: 4, mlpHidden: 12 }] };
    const out = path.join(tmp, 'uneven');
    await expect(exportModels({ model, members: [{ name: 'uneven', subNetwork: uneven }], onnx: true }, out)).rejects.toThrow(/^export: uneven: .*layers of different widths/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('names must be distinct folder names', async () => {
    const twice = [members[0], { ...members[1], name: 'full' }];
    await expect(exportModels({ model, members: twice, onnx: false }, path.join(tmp, 'twice'))).rejects.toThrow(/distinct folder names.*: full$/);
    await expect(exportModels({ model, members: [{ ...members[0], name: '../up' }], onnx: false }, path.join(tmp, 'up'))).rejects.toThrow(/\.\.\/up/);
  });
});
