/**
 * @module assets
 * The shared stories260K checkpoint, used by the benchmarks when it is present.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `<repo>/../shared/assets/stories260K/stories260K.bin`, resolved from dist/ or src/. */
export const STORIES260K_PATH = path.resolve(__dirname, '../../../../shared/assets/stories260K/stories260K.bin');

export function haveStories260K(): boolean {
  return fs.existsSync(STORIES260K_PATH);
}
