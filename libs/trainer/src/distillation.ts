/**
 * @module distillation
 * Distillation losses between a teacher's logits (the full network's, detached) and a
 * student's (a sub-network's), at temperature T, averaged over token rows and scaled by
 * T² so their gradients keep the same size as T changes (Hinton et al.).
 */
import { F, Value } from '@carve/engine';

export type DistillationKind = 'forward-kl' | 'reverse-kl' | 'js';

export const DISTILLATION_KINDS: readonly DistillationKind[] = ['forward-kl', 'reverse-kl', 'js'];

/** Σ_v p (log p − log q), per row [N]. */
function klRows(p: Value, logP: Value, logQ: Value): Value {
  return F.reduceSum(F.mul(p, F.sub(logP, logQ)), [-1]);
}

/**
 * The distillation loss of `student` [N, V] against `teacher` [N, V] (a value the loss must
 * not differentiate: pass a graph input or a stop-gradient). `forward-kl` is KL(teacher ‖
 * student), as in the paper's in-place distillation; `reverse-kl` is KL(student ‖ teacher);
 * `js` is the Jensen–Shannon divergence.
 */
export function distillationLoss(teacher: Value, student: Value, kind: DistillationKind, temperature = 1): Value {
  if (!(temperature > 0)) throw new Error(`distillation temperature must be > 0, got ${temperature}`);
  const scale = (x: Value) => (temperature === 1 ? x : F.div(x, temperature));
  const logT = F.logSoftmax(scale(F.stopGradient(teacher)), -1);
  const logS = F.logSoftmax(scale(student), -1);
  let rows: Value;
  if (kind === 'forward-kl') rows = klRows(F.exp(logT), logT, logS);
  else if (kind === 'reverse-kl') rows = klRows(F.exp(logS), logS, logT);
  else {
    const pT = F.exp(logT);
    const pS = F.exp(logS);
    const logM = F.log(F.mul(F.add(pT, pS), 0.5));
    rows = F.mul(F.add(klRows(pT, logT, logM), klRows(pS, logS, logM)), 0.5);
  }
  const loss = F.reduceMean(rows);
  return temperature === 1 ? loss : F.mul(loss, temperature * temperature);
}
