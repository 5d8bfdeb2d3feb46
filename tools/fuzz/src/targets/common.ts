/**
 * @module targets/common
 * How a case's document is chosen: a few cases keep the seed as it is (it must load, which
 * shows that the target is able to succeed at all); the rest mutate its values or its text.
 */
import * as fs from 'node:fs';
import { mutateBytes } from '../mutate/bytes';
import { mutateJson, serialize } from '../mutate/json';
import { mutateText } from '../mutate/text';
import { Prng } from '../prng';

/** Share of cases that keep their seed unchanged. */
export const UNCHANGED = 0.05;

/** JSON text of `value` mutated in its values (mostly) or in its text; `indent` as the real files are written. */
export function jsonCase(rng: Prng, value: unknown, indent = rng.chance(0.5)): { text: string; applied: string[] } {
  if (rng.chance(UNCHANGED)) return { text: serialize(value, indent), applied: ['unchanged'] };
  if (rng.chance(0.7)) {
    const m = mutateJson(rng, value);
    return { text: serialize(m.value, indent), applied: m.applied };
  }
  return mutateText(rng, serialize(value, indent));
}

/** `bytes` mutated blindly (or, rarely, kept). */
export function bytesCase(rng: Prng, bytes: Uint8Array): { bytes: Uint8Array; applied: string[] } {
  if (rng.chance(UNCHANGED)) return { bytes, applied: ['unchanged'] };
  return mutateBytes(rng, bytes);
}

/** JSONL of `records` with one record mutated as JSON, or the file's text or bytes mutated. */
export function jsonlCase(rng: Prng, records: readonly unknown[]): { data: Buffer; applied: string[] } {
  const lines = records.map((r) => JSON.stringify(r));
  const whole = () => `${lines.join('\n')}\n`;
  const roll = rng.next();
  if (roll < UNCHANGED) return { data: Buffer.from(whole()), applied: ['unchanged'] };
  if (roll < 0.6) {
    const i = rng.int(lines.length);
    const m = jsonCase(rng, records[i], false);
    lines[i] = m.text.replace(/\n/g, ' ');
    return { data: Buffer.from(whole()), applied: [`line ${i + 1}`, ...m.applied] };
  }
  if (roll < 0.9) {
    const m = mutateText(rng, whole());
    return { data: Buffer.from(m.text), applied: m.applied };
  }
  const m = mutateBytes(rng, Buffer.from(whole()));
  return { data: Buffer.from(m.bytes), applied: m.applied };
}

export function copyFolder(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}
