/**
 * @module load-tokenizer
 * Opens a tokenizer file in either format the project meets: a Hugging Face `tokenizer.json`
 * (or a model folder holding one) or a llama2.c `tokenizer.bin`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { oneLine } from '@carve/errors';
import { HfTokenizer } from './hf-tokenizer';
import { Llama2cTokenizer } from './llama2c-tokenizer';
import type { Tokenizer } from './tokenizer';
import { TokenizerError } from './tokenizer-error';

/** Options for {@link loadTokenizer}. */
export interface LoadTokenizerOptions {
  /**
   * Number of tokens a llama2.c `tokenizer.bin` must hold, from the checkpoint header (the
   * file does not store it). Ignored for Hugging Face files.
   * @default read tokens to the end of the file
   */
  readonly vocabSize?: number;
}

/**
 * Loads the tokenizer at `path`: a folder holding `tokenizer.json` (else `tokenizer.bin`), a
 * JSON file (a `.json` name, or contents starting with `{`) read as a Hugging Face
 * `tokenizer.json` with the `tokenizer_config.json` beside it if there is one, or else a
 * llama2.c `tokenizer.bin`. Any problem with the files throws one {@link TokenizerError}
 * naming the file.
 */
export function loadTokenizer(path: string, options: LoadTokenizerOptions = {}): Tokenizer {
  if (!existsSync(path)) {
    throw new TokenizerError(
      'not-found',
      path,
      'no such file or folder (expected a tokenizer.json, a llama2.c tokenizer.bin, or a folder holding one)',
    );
  }
  if (statSync(path).isDirectory()) {
    const json = join(path, 'tokenizer.json');
    const bin = join(path, 'tokenizer.bin');
    if (existsSync(json)) return loadHf(json);
    if (existsSync(bin)) return Llama2cTokenizer.fromBytes(readBytes(bin), bin, options.vocabSize);
    throw new TokenizerError('not-found', path, 'folder holds neither tokenizer.json nor tokenizer.bin');
  }
  const bytes = readBytes(path);
  if (path.endsWith('.json') || bytes.toString('latin1', 0, 64).trimStart().startsWith('{')) return loadHf(path);
  return Llama2cTokenizer.fromBytes(bytes, path, options.vocabSize);
}

function loadHf(path: string): HfTokenizer {
  const configPath = join(dirname(path), 'tokenizer_config.json');
  const config = basename(path) !== 'tokenizer_config.json' && existsSync(configPath) ? readJson(configPath) : {};
  return new HfTokenizer(readJson(path), config, path);
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TokenizerError('not-found', path, `cannot be read (${(e as Error).message})`);
  }
}

function readJson(path: string): unknown {
  const text = readBytes(path).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TokenizerError('bad-format', path, `not valid JSON (${oneLine((e as Error).message)})`);
  }
}
