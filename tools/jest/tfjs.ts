/**
 * @module @carve/test-tfjs
 * TensorFlow.js as an independent autograd for cross-checks: its cpu backend, set up once
 * per test file, and the error measure the cross-checks share.
 */
// The union package's Node build registers TF.js's gradients; tfjs-core's CommonJS build alone does not.
import * as tf from '@tensorflow/tfjs';

export { tf };

/** Selects TF.js's cpu backend before the file's tests, keeping its start-up advice out of the log. */
export function useTfCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    tf.tensor([0]).dispose(); // the first tensor suggests installing tfjs-node
    warn.mockRestore();
  });
}

/** Largest absolute value. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * max|a − b| / max(scale, 1e-6), with scale = max|b| unless given; Infinity on a length
 * mismatch or a NaN anywhere (`!(d <= diff)` lets a NaN poison the result instead of
 * being skipped).
 */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, scale = maxAbs(b)): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
  }
  return diff / Math.max(scale, 1e-6);
}
