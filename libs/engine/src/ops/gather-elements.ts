import { OpDef } from '../op-def';
import { axisOf, intAttr, need, requireInt } from './infer';

export const gatherElementsOp: OpDef = {
  type: 'GatherElements',
  inputs: ['data', 'indices'],
  outputs: ['output'],
  attributes: { axis: 'int' },
  infer(inputs, attrs) {
    const data = need(inputs, 0, 'data');
    const indices = need(inputs, 1, 'indices');
    requireInt(indices, 'indices');
    if (indices.shape.length !== data.shape.length) throw new Error('data and indices must have the same rank');
    axisOf(intAttr(attrs, 'axis', 0), data.shape.length);
    return [{ dtype: data.dtype, shape: indices.shape }];
  },
  gradient: {
    emit: (g, [dY], [data, indices], node) => ({
      data: () => g.scatterElements(g.zerosLike(data!), indices!, dY!, intAttr(node.attrs, 'axis', 0), 'add'),
    }),
  },
};
