/**
 * @module mutate/bytes
 * Format-blind mutations of a file's bytes: what a bad disk, an interrupted download or a
 * file of another format looks like to a loader. Each returns a new array.
 */
import { Prng } from '../prng';

export type ByteMutation = (rng: Prng, bytes: Uint8Array) => Uint8Array;

/** Integers that sit on the edges loaders check: zero, signs, 2^31, 2^32, the float exponents. */
export const EDGE_INTS = [0, 1, -1, 2, 255, 256, 0x7fff, 0xffff, 0x7fffffff, -0x80000000, 0x3f800000, 0x7f800000, 0x7fc00000, 1 << 20];

const at = (rng: Prng, bytes: Uint8Array) => rng.int(Math.max(1, bytes.length));

export const BYTE_MUTATIONS: Readonly<Record<string, ByteMutation>> = {
  /** One to four bits flipped anywhere. */
  flipBits(rng, bytes) {
    const out = Uint8Array.from(bytes);
    for (let n = rng.range(1, 4); n > 0 && out.length; n--) out[at(rng, out)] ^= 1 << rng.int(8);
    return out;
  },
  /** A few bytes set to 0x00, 0xff, 0x7f or 0x80. */
  edgeBytes(rng, bytes) {
    const out = Uint8Array.from(bytes);
    for (let n = rng.range(1, 4); n > 0 && out.length; n--) out[at(rng, out)] = rng.pick([0x00, 0xff, 0x7f, 0x80]);
    return out;
  },
  /** Cut anywhere, or within the first 64 bytes (the headers). */
  truncate(rng, bytes) {
    return bytes.slice(0, rng.chance(0.5) ? rng.int(Math.min(64, bytes.length + 1)) : rng.int(bytes.length + 1));
  },
  /** 1 to 64 random bytes inserted. */
  insert(rng, bytes) {
    const pos = rng.int(bytes.length + 1);
    const extra = Uint8Array.from({ length: rng.range(1, 64) }, () => rng.int(256));
    return concat(bytes.subarray(0, pos), extra, bytes.subarray(pos));
  },
  /** A range removed. */
  remove(rng, bytes) {
    const pos = rng.int(bytes.length + 1);
    return concat(bytes.subarray(0, pos), bytes.subarray(Math.min(bytes.length, pos + rng.range(1, 256))));
  },
  /** A range repeated in place. */
  duplicate(rng, bytes) {
    const pos = rng.int(bytes.length + 1);
    const piece = bytes.subarray(pos, pos + rng.range(1, 256));
    return concat(bytes.subarray(0, pos + piece.length), piece, bytes.subarray(pos + piece.length));
  },
  /** An edge integer written little-endian at a 4-byte-aligned offset near the start (a header field). */
  edgeInt32(rng, bytes) {
    const out = Uint8Array.from(bytes);
    const pos = 4 * rng.int(Math.max(1, Math.min(16, Math.floor(out.length / 4))));
    if (pos + 4 <= out.length) new DataView(out.buffer).setInt32(pos, rng.pick(EDGE_INTS), true);
    return out;
  },
};

/** One to three byte mutations; returns the bytes and their names. */
export function mutateBytes(rng: Prng, bytes: Uint8Array): { bytes: Uint8Array; applied: string[] } {
  const applied: string[] = [];
  let out = bytes;
  for (let n = rng.range(1, 3); n > 0; n--) {
    const name = rng.pick(Object.keys(BYTE_MUTATIONS));
    out = BYTE_MUTATIONS[name](rng, out);
    applied.push(`bytes.${name}`);
  }
  return { bytes: out, applied };
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
