import { Dim, isStatic } from '../dims';
import { OpDef } from '../op-def';
import { axisOf, intAttr, knownInts, need } from './infer';

export const splitOp: OpDef = {
  type: 'Split',
  inputs: ['input', 'split'],
  outputs: ['outputs...'],
  attributes: { axis: 'int' },
  infer(inputs, attrs, outputCount) {
    const x = need(inputs, 0, 'input');
    const sizes = knownInts(inputs[1], 'split');
    const axis = axisOf(intAttr(attrs, 'axis', 0), x.shape.length);
    if (sizes.length !== outputCount) throw new Error(`${sizes.length} sizes given for ${outputCount} outputs`);
    const total = sizes.reduce((a, b) => a + b, 0);
    const dim: Dim = x.shape[axis];
    if (isStatic(dim) && dim !== total) throw new Error(`sizes [${sizes.join(', ')}] add up to ${total}, but axis ${axis} has size ${dim}`);
    return sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      return { dtype: x.dtype, shape };
    });
  },
  gradient: {
    emit: (g, dOutputs, _inputs, node) => ({
      input: () => {
        const parts = node.outputs.map((y, i) => dOutputs[i] ?? g.zerosLike(y));
        return g.concat(parts, intAttr(node.attrs, 'axis', 0));
      },
    }),
  },
};
