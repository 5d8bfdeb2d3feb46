/**
 * @module steps/export/hf-tokenizer
 * A tokenizer in Hugging Face form beside a checkpoint, so the folder loads on its own.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { HfTokenizer, Llama2cTokenizer, Tokenizer, toHfTokenizerConfig, toHfTokenizerJson } from '@carve/model';

/**
 * Puts tokenizer.json (and tokenizer_config.json) into `folder`: copied from a Hugging Face
 * tokenizer's files, or converted from llama2.c. Plain writes: callers write into a
 * temporary folder that is renamed into place whole.
 */
export function writeHfTokenizer(tokenizer: Tokenizer, folder: string): void {
  if (tokenizer instanceof Llama2cTokenizer) {
    fs.writeFileSync(nodePath.join(folder, 'tokenizer.json'), JSON.stringify(toHfTokenizerJson(tokenizer)));
    fs.writeFileSync(nodePath.join(folder, 'tokenizer_config.json'), `${JSON.stringify(toHfTokenizerConfig(), null, 2)}\n`);
  } else if (tokenizer instanceof HfTokenizer) {
    fs.copyFileSync(tokenizer.source, nodePath.join(folder, 'tokenizer.json'));
    const config = nodePath.join(nodePath.dirname(tokenizer.source), 'tokenizer_config.json');
    if (fs.existsSync(config)) fs.copyFileSync(config, nodePath.join(folder, 'tokenizer_config.json'));
  } else {
    throw new Error(`no Hugging Face form for the tokenizer ${tokenizer.constructor.name}`);
  }
}
