// A port of CPython 3.11's Modules/_randommodule.c and Lib/random.py (the parts lm-eval-harness
// uses to draw few-shot examples), so that our prompts hold exactly the examples lm-eval's do.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 0x1_0000_0000;

/** CPython's random.Random for an integer seed: MT19937 seeded by init_by_array, bit-exact. */
export class PythonRandom {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /**
   * Python seeds from abs(seed) split into 32-bit words, least significant first (0 gives the
   * key [0]); seeds up to 2^53 therefore take one or two words.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`PythonRandom: the seed must be a safe integer, got ${seed}`);
    const magnitude = Math.abs(seed);
    const high = Math.floor(magnitude / TWO_POW_32);
    this.initByArray(high > 0 ? [magnitude >>> 0, high] : [magnitude >>> 0]);
  }

  /** Only up to 32 bits: CPython takes a single genrand_uint32() for those, more would need several. */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 1 || k > 32) throw new RangeError(`PythonRandom.getrandbits: k must be an integer in [1, 32], got ${k}`);
    return this.genrandUint32() >>> (32 - k);
  }

  /**
   * CPython's _randbelow_with_getrandbits: rejection sampling over bit_length(n) bits, which is
   * what decides how many words each draw consumes. n is capped at 2^32 - 1 by getrandbits.
   */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n >= TWO_POW_32) throw new RangeError(`PythonRandom.randbelow: n must be an integer in [1, 2^32), got ${n}`);
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** A 53-bit float from two words, as CPython's random_random does. */
  random(): number {
    const a = this.genrandUint32() >>> 5;
    const b = this.genrandUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * CPython 3.11's random.sample (without counts). Both branches are kept because they consume the
   * generator differently: the choice between them, not just the result, must match Python's.
   */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`PythonRandom.sample: sample larger than population or is negative (k = ${k}, population ${n})`);
    const result = new Array<T>(k);
    if (n <= sampleSetSize(k)) {
      // Invariant: the items not yet selected are pool[0 .. n - i).
      const pool = [...population];
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = population[j];
      }
    }
    return result;
  }

  /** CPython's Fisher-Yates, walking down from the end, in place. */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i >= 1; i--) {
      const j = this.randbelow(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = (mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j] + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = (mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    // Assures a non-zero initial state.
    mt[0] = 0x80000000;
  }

  private genrandUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let kk = 0; kk < N; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[(kk + 1) % N] & LOWER_MASK);
        mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/**
 * random.sample's estimate of a set's memory, against which it weighs copying the population.
 * Python computes _ceil(_log(k * 3, 4)) as log(3k) / log(4) in doubles, as this does; 3k is never
 * a power of 4, and for any k an array can hold it stays far enough from one that a last-bit
 * difference between the two libms could not move the ceiling.
 */
function sampleSetSize(k: number): number {
  return k > 5 ? 21 + 4 ** Math.ceil(Math.log(k * 3) / Math.log(4)) : 21;
}
