import { OpDef } from '../op-def';
import { axisOf, intAttr, need, requireInt, sameDtype } from './infer';

export const scatterElementsOp: OpDef = {
  type: 'ScatterElements',
  inputs: ['data', 'indices', 'updates'],
  outputs: ['output'],
  attributes: { axis: 'int', reduction: 'string' },
  infer(inputs, attrs) {
    const data = need(inputs, 0, 'data');
    const indices = need(inputs, 1, 'indices');
    const updates = need(inputs, 2, 'updates');
    requireInt(indices, 'indices');
    sameDtype(data, updates, 'data and updates');
    axisOf(intAttr(attrs, 'axis', 0), data.shape.length);
    const reduction = attrs.reduction ?? 'none';
    if (reduction !== 'none' && reduction !== 'add') throw new Error(`attribute 'reduction' must be 'none' or 'add', got '${String(reduction)}'`);
    return [{ dtype: data.dtype, shape: data.shape }];
  },
  gradient: {
    emit: (g, [dY], [, indices, updates], node) => {
      const axis = intAttr(node.attrs, 'axis', 0);
      return {
        // With 'none' the overwritten positions receive nothing from data.
        data: () => (node.attrs.reduction === 'add' ? dY! : g.scatterElements(dY!, indices!, g.zerosLike(updates!), axis)),
        updates: () => g.gatherElements(dY!, indices!, axis),
      };
    },
  },
};
