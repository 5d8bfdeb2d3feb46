/**
 * @module @carve/test-assets
 * Where the shared reference assets are (../shared/assets beside the repository), and a
 * `describe` that is skipped visibly, with a warning, when they are absent. CI fails
 * before testing when they are missing, so there they are never skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The shared assets folder: `<repo>/../shared/assets`. */
export const ASSETS = path.resolve(__dirname, '../../../shared/assets');

export const STORIES260K = path.join(ASSETS, 'stories260K', 'stories260K.bin');
export const TOK512 = path.join(ASSETS, 'stories260K', 'tok512.bin');
export const TINYSTORIES_TRAIN = path.join(ASSETS, 'text', 'tinystories_train_head.txt');
export const TINYSTORIES_VALID = path.join(ASSETS, 'text', 'tinystories_valid_head.txt');

export const haveAssets = fs.existsSync(STORIES260K);

/** `describe`, or `describe.skip` with a warning naming the missing folder. */
export function describeWithAssets(name: string, fn: () => void): void {
  if (haveAssets) {
    describe(name, fn);
    return;
  }
  console.warn(`SKIPPED '${name}': the reference assets are absent (${ASSETS})`);
  describe.skip(name, fn);
}

/**
 * Writes a llama2.c tokenizer.bin at `path` with the control and byte tokens and the space,
 * so every byte is one token: a tokenizer for tests that need one but not the real assets.
 */
export function writeByteTokenizer(path: string): string {
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`), ' '];
  const parts = [Buffer.from(Int32Array.of(8).buffer)];
  for (const p of pieces) {
    const header = Buffer.alloc(8);
    header.writeFloatLE(0, 0);
    header.writeInt32LE(p.length, 4);
    parts.push(header, Buffer.from(p, 'latin1'));
  }
  fs.writeFileSync(path, Buffer.concat(parts));
  return path;
}
