/**
 * @module targets/tokenizer
 * Tokenizers: a Hugging Face tokenizer.json (with its tokenizer_config.json) and a llama2.c
 * tokenizer.bin, each loaded and then used, since a file that loads must also encode and
 * decode (the library under the JSON one may only fail when it runs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTokenizer } from '@carve/model';
import { Target } from '../runner';
import { Seeds } from '../seeds';
import { Prng } from '../prng';
import { bytesCase, copyFolder, jsonCase } from './common';

const TEXT = 'hello world, héllo\n\tworld 42 ✓';

function use(file: string, vocabSize?: number): void {
  const tokenizer = loadTokenizer(file, { vocabSize });
  tokenizer.decode(tokenizer.encode(TEXT));
}

export function tokenizerJsonTarget(seeds: Seeds, cases: number): Target {
  const folder = (dir: string) => path.join(dir, 'tokenizer');
  return {
    name: 'tokenizer-json',
    cases,
    prepare(rng, dir) {
      copyFolder(seeds.tokenizerFolder, folder(dir));
      const which = rng.chance(0.8) ? 'tokenizer.json' : 'tokenizer_config.json';
      const file = path.join(folder(dir), which);
      const original = fs.readFileSync(file);
      if (rng.chance(0.1)) {
        const m = bytesCase(rng, original);
        fs.writeFileSync(file, m.bytes);
        return [which, ...m.applied];
      }
      const m = jsonCase(rng, JSON.parse(original.toString('utf8')), false);
      fs.writeFileSync(file, m.text);
      return [which, ...m.applied];
    },
    run: (dir) => use(path.join(folder(dir), 'tokenizer.json')),
    names: (dir) => [folder(dir)],
  };
}

/** Offsets of each token record (float32 score, int32 length, bytes) after the 4-byte header. */
function records(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = 4; at + 8 <= bytes.length; at += 8 + bytes.readInt32LE(at + 4)) out.push(at);
  return out;
}

export function tokenizerBinTarget(seeds: Seeds, cases: number): Target {
  const seed = fs.readFileSync(seeds.tokenizerBin);
  const count = records(seed).length;
  const file = (dir: string) => path.join(dir, 'tokenizer.bin');
  return {
    name: 'tokenizer-bin',
    cases,
    prepare(rng: Prng, dir) {
      const bytes = Buffer.from(seed);
      const applied: string[] = [];
      if (rng.chance(0.4)) {
        const at = rng.pick(records(bytes));
        if (rng.chance(0.5)) {
          const length = rng.pick([-1, 0, 9, 4096, 0x7fffffff]);
          bytes.writeInt32LE(length, at + 4);
          applied.push(`record@${at}.length=${length}`);
        } else {
          const score = rng.pick([NaN, Infinity, -Infinity, 3.4e38, -0]);
          bytes.writeFloatLE(score, at);
          applied.push(`record@${at}.score=${score}`);
        }
      }
      const m = applied.length && rng.chance(0.5) ? { bytes, applied: [] } : bytesCase(rng, bytes);
      fs.writeFileSync(file(dir), m.bytes);
      const vocab = rng.pick([undefined, count, count - 1, count + 1, 0]);
      if (vocab !== undefined) fs.writeFileSync(path.join(dir, 'vocab-size'), String(vocab));
      return [...applied, ...m.applied, `vocabSize=${vocab ?? 'none'}`];
    },
    run: (dir) => use(file(dir), vocabOf(dir)),
    names: (dir) => [file(dir)],
  };
}

/** The vocabulary size the case passes, kept beside its file (prepare and run share only the folder). */
function vocabOf(dir: string): number | undefined {
  const f = path.join(dir, 'vocab-size');
  return fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : undefined;
}
