import { OpDef } from '../op-def';
import { axisOf, intAttr, need, requireInt } from './infer';

/** Slices of `data` along `axis` picked by `indices` (embedding lookup with axis 0). */
export const gatherOp: OpDef = {
  type: 'Gather',
  inputs: ['data', 'indices'],
  outputs: ['output'],
  attributes: { axis: 'int' },
  infer(inputs, attrs) {
    const data = need(inputs, 0, 'data');
    const indices = need(inputs, 1, 'indices');
    requireInt(indices, 'indices');
    const axis = axisOf(intAttr(attrs, 'axis', 0), data.shape.length);
    const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
    let known;
    if (data.known && indices.known && data.shape.length === 1) {
      known = indices.known.map((i) => data.known![(i as number) < 0 ? (i as number) + data.known!.length : (i as number)]);
    }
    return [{ dtype: data.dtype, shape, known }];
  },
  gradient: {
    emit: (g, [dY], [data, indices], node) => ({
      data: () => {
        if (intAttr(node.attrs, 'axis', 0) !== 0) throw new Error(`node '${node.name}': the gradient of Gather is implemented for axis 0 only`);
        // Rows gathered more than once accumulate: ScatterND with reduction 'add'.
        return g.scatterND(g.zerosLike(data!), g.unsqueeze(indices!, [-1]), dY!, 'add');
      },
    }),
  },
};
