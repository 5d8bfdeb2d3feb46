/**
 * @module make-model
 * `node tools/bench/dist/make-model.js --out DIR [--layers 13 --embd 768 --heads 12 --mlp 3072]`:
 * a Llama-family Hugging Face folder with random weights (std 0.02) and the embedded
 * model's tokenizer (vocabulary 512), for runs of `carve compress` at sizes the project
 * has no pretrained model of. The default is 123M parameters, GPT-2 small's class.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '@carve/engine';
import { countParams, initWeights, resolveConfig, saveHfCheckpoint } from '@carve/model';

const EMBEDDED = path.resolve(__dirname, '../../../models/carve-sotu-1m');

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      layers: { type: 'string', default: '13' },
      embd: { type: 'string', default: '768' },
      heads: { type: 'string', default: '12' },
      mlp: { type: 'string', default: '3072' },
    },
  });
  if (!values.out) throw new Error('--out DIR is required');
  const config = resolveConfig({
    name: path.basename(values.out),
    family: 'llama',
    vocabSize: 512,
    nEmbd: Number(values.embd),
    nLayer: Number(values.layers),
    nHead: Number(values.heads),
    mlpHidden: Number(values.mlp),
    blockSize: 256,
    tiedEmbeddings: true,
  });
  saveHfCheckpoint({ config, weights: initWeights(config, new Rng(1), 0.02) }, values.out);
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(EMBEDDED, file), path.join(values.out, file));
  console.log(`${values.out}: ${countParams(config)} parameters`);
}

main();
