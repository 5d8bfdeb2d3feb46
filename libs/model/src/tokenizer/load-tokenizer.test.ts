import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HfTokenizer } from './hf-tokenizer';
import { Llama2cTokenizer } from './llama2c-tokenizer';
import { loadTokenizer } from './load-tokenizer';
import { toHfTokenizerConfig, toHfTokenizerJson } from './to-hf';
import { TokenizerError } from './tokenizer-error';
import { TOK512, describeWithAssets } from '@carve/test-assets';


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'carve-tokenizer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `contents` to a file in the scratch folder and returns its path. */
function file(name: string, contents: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

/** The TokenizerError `load` throws, as `code: message`. */
function failure(load: () => unknown): string {
  try {
    load();
  } catch (e) {
    if (e instanceof TokenizerError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('expected a TokenizerError');
}

/** Seeded pseudo-random bytes. */
function randomBytes(length: number, seed: number): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state >> 16;
  });
}

describe('loadTokenizer errors', () => {
  test('a missing file', () => {
    const path = join(dir, 'nope.bin');
    expect(failure(() => loadTokenizer(path))).toBe(
      `not-found: ${path}: no such file or folder (expected a tokenizer.json, a llama2.c tokenizer.bin, or a folder holding one)`,
    );
  });

  test('a folder without a tokenizer', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(failure(() => loadTokenizer(empty))).toBe(`not-found: ${empty}: folder holds neither tokenizer.json nor tokenizer.bin`);
  });

  test('a JSON file that is not a tokenizer, and one that is not JSON', () => {
    const config = file('config.json', '{ "dim": 64, "n_layers": 5 }');
    expect(failure(() => loadTokenizer(config))).toBe(
      `bad-format: ${config}: not a Hugging Face tokenizer.json: no "model" object (found keys dim, n_layers)`,
    );
    const broken = file('broken.json', '{ "model": ');
    expect(failure(() => loadTokenizer(broken))).toMatch(`bad-format: ${broken}: not valid JSON (`);
    // The parser's message quotes the text around the error, line breaks included: they are escaped (found by tools/fuzz).
    const indented = file('indented.json', '{\n  "model": {\n    "type": x\n  }\n}\n');
    expect(failure(() => loadTokenizer(indented))).toMatch(new RegExp(`^bad-format: ${indented}: not valid JSON \\(Unexpected token .*\\\\n.*\\)$`));
  });

  test('random binary files', () => {
    const noise = file('noise.bin', randomBytes(1000, 1));
    expect(failure(() => loadTokenizer(noise))).toBe(
      `bad-format: ${noise}: not a llama2.c tokenizer: max_token_length is -1193312570, expected 1 to 4096`,
    );
    // A plausible header, then noise: the first record gives it away.
    const header = Uint8Array.of(7, 0, 0, 0);
    const noisy = file('noisy.bin', new Uint8Array([...header, ...randomBytes(1000, 2)]));
    expect(failure(() => loadTokenizer(noisy))).toBe(
      `bad-format: ${noisy}: not a llama2.c tokenizer: token 0 has length 249733479, outside 0..7 (max_token_length)`,
    );
    const stub = file('stub.bin', Uint8Array.of(7, 0));
    expect(failure(() => loadTokenizer(stub))).toBe(`truncated: ${stub}: truncated in the 4-byte header (file is 2 bytes)`);
  });
});

describeWithAssets('loadTokenizer on stories260K files', () => {
  const bin = TOK512;

  test('a truncated tokenizer.bin, with and without the vocabulary size', () => {
    const cut = file('tok512.bin', readFileSync(bin).subarray(0, 1200));
    expect(failure(() => loadTokenizer(cut, { vocabSize: 512 }))).toBe(
      `truncated: ${cut}: truncated at token 85 of 512 (file is 1200 bytes)`,
    );
    expect(failure(() => loadTokenizer(cut))).toBe(`truncated: ${cut}: truncated at token 85 (file is 1200 bytes)`);
  });

  test('a tokenizer.bin with more tokens than the model has', () => {
    expect(failure(() => loadTokenizer(bin, { vocabSize: 500 }))).toBe(
      `bad-format: ${bin}: holds more than 500 tokens (115 bytes follow token 499)`,
    );
  });

  test('picks the format from the file or folder', () => {
    expect(loadTokenizer(bin, { vocabSize: 512 })).toBeInstanceOf(Llama2cTokenizer);
    const llamaDir = join(dir, 'llama2c');
    mkdirSync(llamaDir);
    copyFileSync(bin, join(llamaDir, 'tokenizer.bin'));
    expect(loadTokenizer(llamaDir).vocabSize).toBe(512);

    const llama = Llama2cTokenizer.fromBytes(readFileSync(bin), bin);
    const hfDir = join(dir, 'hf');
    mkdirSync(hfDir);
    writeFileSync(join(hfDir, 'tokenizer.json'), JSON.stringify(toHfTokenizerJson(llama)));
    writeFileSync(join(hfDir, 'tokenizer_config.json'), JSON.stringify({ ...toHfTokenizerConfig(), add_bos_token: false }));
    const hf = loadTokenizer(hfDir);
    expect(hf).toBeInstanceOf(HfTokenizer);
    expect(hf.encode('Once upon a time')).toEqual(llama.encode('Once upon a time', { bos: false }));
    // JSON under another name is still read as JSON, here without a config beside it.
    const bare = file('tokenizer', JSON.stringify(toHfTokenizerJson(llama)));
    expect(loadTokenizer(bare)).toBeInstanceOf(HfTokenizer);
  });
});
