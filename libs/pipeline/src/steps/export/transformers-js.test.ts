/**
 * Exports of every family in transformers.js (@huggingface/transformers, local files only):
 * AutoModelForCausalLM loads the folder by its config.json and onnx/model.onnx, and gives
 * the logits of our LanguageModel on the same folder, and its greedy generate() picks the
 * tokens ours picks. (apps/cli's export test runs the text-generation pipeline on a real run.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng, Tensor } from '@carve/engine';
import { fullSubNetwork, initWeights, LanguageModel, loadCheckpoint, ModelConfigInput, resolveConfig } from '@carve/model';
import { EMBEDDED_MODEL } from '../../compress/context';
import { exportModels } from './export-models';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformers = require('@huggingface/transformers') as typeof import('@huggingface/transformers');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-transformers-js-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODELS: ModelConfigInput[] = [
  { name: 'llama', family: 'llama', vocabSize: 512, nEmbd: 32, nLayer: 2, nHead: 4, nQueryGroups: 2, headSize: 6, mlpHidden: 48, blockSize: 64 },
  { name: 'gpt2', family: 'gpt2', vocabSize: 512, nEmbd: 32, nLayer: 2, nHead: 4, blockSize: 64 },
  { name: 'gpt_neox', family: 'gpt_neox', vocabSize: 512, nEmbd: 32, nLayer: 2, nHead: 4, rotaryFraction: 0.5, blockSize: 64 },
];

beforeAll(() => {
  transformers.env.allowRemoteModels = false;
  transformers.env.localModelPath = path.join(tmp, 'models');
});

test.each(MODELS.map((m) => [m.name, m] as const))('%s: logits within 1e-4 and the same greedy tokens', async (name, input) => {
  const config = resolveConfig(input);
  await exportModels({ model: { config, weights: initWeights(config, new Rng(3), 0.4) }, tokenizer: EMBEDDED_MODEL, members: [{ name, subNetwork: fullSubNetwork(config) }], formats: ['hf', 'onnx'] }, tmp);
  const folder = path.join(tmp, 'models', name);
  const lm = await transformers.AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
  const ours = await LanguageModel.create(loadCheckpoint(folder));
  const rng = new Rng(4);
  const ids = [1, ...Array.from({ length: 11 }, () => 3 + rng.int(509))];
  const input_ids = new transformers.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
  const { logits } = await lm({ input_ids, attention_mask: transformers.ones_like(input_ids) });
  const expected = (await ours.logits(Tensor.from('int64', [1, ids.length], ids))).data as Float32Array;
  const got = logits.data as Float32Array;
  expect(got.length).toBe(expected.length);
  expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])))).toBeLessThanOrEqual(1e-4);
  const generated = (await lm.generate({ input_ids, max_new_tokens: 12, do_sample: false, eos_token_id: -1 })) as InstanceType<typeof transformers.Tensor>;
  const theirs = (generated.tolist() as bigint[][])[0].map(Number).slice(ids.length);
  expect(theirs).toEqual(await ours.generate(ids, { maxNewTokens: 12 }));
  await ours.dispose();
  await lm.dispose();
});
