/**
 * @module checkpoint/checkpoint
 * A model in memory: its config and its parameters by canonical name (float32, linear
 * weights [in, out]), plus the error type every loader throws for bad files.
 */
import { UserError } from '@carve/engine';
import { ModelConfig } from '../config';
import { paramSpecs } from '../params';

export interface Checkpoint {
  config: ModelConfig;
  weights: Map<string, Float32Array>;
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
export function assertWeightsMatch(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>, where: string): void {
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

/** [rows, cols] row-major to [cols, rows]: PyTorch's [out, in] linear layout to ours. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
