/**
 * @module optim/clip
 * Global-norm gradient clipping, as `torch.nn.utils.clip_grad_norm_`.
 */

/**
 * Scales all gradients in place so their joint L2 norm is at most `maxNorm`, and returns
 * the norm before clipping. A non-finite norm is returned without scaling, so the caller
 * can skip the step.
 */
export function clipGradNorm(grads: Iterable<Float32Array | Float64Array>, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const list = [...grads];
  let sumSq = 0;
  for (const g of list) for (let i = 0; i < g.length; i++) sumSq += g[i] * g[i];
  const norm = Math.sqrt(sumSq);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of list) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}
