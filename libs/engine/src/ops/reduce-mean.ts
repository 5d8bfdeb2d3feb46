import { isStatic, shapeSize } from '../dims';
import { OpDef } from '../op-def';
import { inferReduce, reducedAxes } from './reduce';

export const reduceMeanOp: OpDef = {
  type: 'ReduceMean',
  inputs: ['data', 'axes?'],
  outputs: ['reduced'],
  attributes: { keepdims: 'int' },
  infer: inferReduce,
  gradient: {
    emit: (g, [dY], [x], node) => ({
      data: () => {
        const axes = reducedAxes(node.inputs);
        const kept = node.attrs.keepdims === 0 ? g.unsqueeze(dY!, axes) : dY!;
        const count = shapeSize(axes.map((a) => x!.shape[a]));
        // A symbolic count (mean over T, say) is computed at run time from the sizes.
        const scaled = isStatic(count) ? g.div(kept, count) : g.div(kept, g.cast(g.div(g.size(x!), g.size(dY!)), x!.dtype));
        return g.expand(scaled, x!.shape);
      },
    }),
  },
};
