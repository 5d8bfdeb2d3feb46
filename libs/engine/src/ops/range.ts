import { Dim } from '../dims';
import { OpDef } from '../op-def';
import { need } from './infer';

/**
 * [start, start + delta, …) below limit. Shape inference follows a symbolic limit when
 * start is 0 and delta 1 (positions 0..T-1), and computes static sizes otherwise.
 */
export const rangeOp: OpDef = {
  type: 'Range',
  inputs: ['start', 'limit', 'delta'],
  outputs: ['output'],
  infer(inputs) {
    const [start, limit, delta] = [need(inputs, 0, 'start'), need(inputs, 1, 'limit'), need(inputs, 2, 'delta')];
    for (const [v, name] of [[start, 'start'], [limit, 'limit'], [delta, 'delta']] as const) {
      if (v.shape.length !== 0) throw new Error(`input '${name}' must be a scalar, got rank ${v.shape.length}`);
      if (v.dtype !== start.dtype) throw new Error(`inputs must share one type, got ${start.dtype} and ${v.dtype} ('${name}')`);
    }
    const [s, l, d] = [start.known?.[0], limit.known?.[0], delta.known?.[0]];
    let size: Dim;
    if (s === 0 && d === 1 && l !== undefined) size = l;
    else if (typeof s === 'number' && typeof l === 'number' && typeof d === 'number' && d !== 0) size = Math.max(0, Math.ceil((l - s) / d));
    else throw new Error('the output size must be known when the graph is built: start 0 and delta 1, or all three constant');
    return [{ dtype: start.dtype, shape: [size] }];
  },
  gradient: null,
  reason: 'positions are not differentiated',
};
