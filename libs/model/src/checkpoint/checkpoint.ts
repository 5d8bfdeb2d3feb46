/**
 * @module checkpoint/checkpoint
 * A model in memory: its config and its parameters by canonical name (float32, linear
 * weights [in, out]), plus the error type every loader throws for bad files.
 */
import { fromHalf, UserError } from '@carve/engine';
import { ModelConfig } from '../config';
import { paramSpecs } from '../params';

/**
 * A parameter kept in 16 bits as a half-precision checkpoint stored it (IEEE binary16 bit
 * patterns): a frozen base weight that graphs take as float16 and cast to float32, so a
 * 16-bit model holds half the memory of its float32 copy. Arithmetic on it goes through
 * float32Of.
 */
export class HalfValues {
  constructor(readonly bits: Uint16Array) {}

  get length(): number {
    return this.bits.length;
  }
}

/** A parameter's values: float32, or 16-bit as loaded (see HalfValues). */
export type WeightValues = Float32Array | HalfValues;

/** The values as float32: `w` itself, or a decoded copy of a 16-bit one (exact). */
export function float32Of(w: WeightValues): Float32Array {
  return w instanceof HalfValues ? fromHalf(w.bits) : w;
}

/** The array behind `w`: float32 values or half bits, for code that only moves elements. */
export function rawOf(w: WeightValues): Float32Array | Uint16Array {
  return w instanceof HalfValues ? w.bits : w;
}

/** The inverse of rawOf: half bits back into HalfValues. */
export function fromRaw(raw: Float32Array | Uint16Array): WeightValues {
  return raw instanceof Uint16Array ? new HalfValues(raw) : raw;
}

/** The names of `weights` kept in 16 bits, for ModelGraphOptions.halfParams. */
export function halfParamsOf(weights: ReadonlyMap<string, WeightValues>): Set<string> {
  return new Set([...weights].filter(([, w]) => w instanceof HalfValues).map(([name]) => name));
}

/** Every weight as float32 (16-bit ones decoded): for code that changes or trains them all. */
export function float32Weights(weights: ReadonlyMap<string, WeightValues>): Map<string, Float32Array> {
  return new Map([...weights].map(([name, w]) => [name, float32Of(w)]));
}

export interface Checkpoint {
  config: ModelConfig;
  /** By canonical name (see params.ts); 16-bit where the checkpoint was (see loadCheckpoint). */
  weights: Map<string, WeightValues>;
}

/** A checkpoint file that is missing, truncated or of the wrong format; the message names the file. */
export class CheckpointError extends UserError {
  override readonly name = 'CheckpointError';
  declare readonly code: 'not_found' | 'truncated' | 'bad_format' | 'mismatch';
  constructor(
    message: string,
    code: 'not_found' | 'truncated' | 'bad_format' | 'mismatch',
    readonly path?: string,
  ) {
    super(message, code);
  }
}

/** Checks that `weights` has exactly the parameters of `config`, with the right sizes. */
export function assertWeightsMatch(config: ModelConfig, weights: ReadonlyMap<string, WeightValues>, where: string): void {
  const problems: string[] = [];
  const expected = paramSpecs(config);
  for (const spec of expected) {
    const w = weights.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!w) problems.push(`missing '${spec.name}'`);
    else if (w.length !== size) problems.push(`'${spec.name}' has ${w.length} values, expected ${size} ([${spec.shape.join(', ')}])`);
  }
  const names = new Set(expected.map((s) => s.name));
  for (const name of weights.keys()) if (!names.has(name)) problems.push(`unexpected '${name}'`);
  if (problems.length) throw new CheckpointError(`${where}: the weights do not match config '${config.name}': ${problems.join('; ')}`, 'mismatch', where);
}

/** A typed array of the same kind as `like`, of `length` zeros. */
export function emptyLike<A extends Float32Array | Uint16Array>(like: A, length: number): A {
  return new (like.constructor as new (n: number) => A)(length);
}

/** [rows, cols] row-major to [cols, rows]: PyTorch's [out, in] linear layout to ours. */
export function transpose2d<A extends Float32Array | Uint16Array>(data: A, rows: number, cols: number): A {
  const out = emptyLike(data, data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
