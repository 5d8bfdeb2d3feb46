import { dimEquals, formatShape, isStatic } from '../dims';
import { OpDef, ValueInfo } from '../op-def';
import { need, requireFloat, requireInt } from './infer';

const REDUCTIONS = ['mean', 'sum', 'none'];

/**
 * Cross-entropy of scores [N, C] against class indices [N] (ONNX SoftmaxCrossEntropyLoss,
 * restricted to 2-D scores and no class weights). Outputs the loss and the log-probabilities.
 */
export const softmaxCrossEntropyLossOp: OpDef = {
  type: 'SoftmaxCrossEntropyLoss',
  inputs: ['scores', 'labels'],
  outputs: ['output', 'log_prob?'],
  attributes: { ignore_index: 'int', reduction: 'string' },
  infer(inputs, attrs, outputCount) {
    const scores = need(inputs, 0, 'scores');
    const labels = need(inputs, 1, 'labels');
    requireFloat(scores, 'scores');
    requireInt(labels, 'labels');
    const reduction = (attrs.reduction as string | undefined) ?? 'mean';
    if (!REDUCTIONS.includes(reduction)) throw new Error(`attribute 'reduction' must be one of ${REDUCTIONS.join(', ')}, got '${reduction}'`);
    if (scores.shape.length !== 2 || labels.shape.length !== 1 || !dimEquals(scores.shape[0], labels.shape[0])) {
      throw new Error(`scores must be [N, C] and labels [N], got ${formatShape(scores.shape)} and ${formatShape(labels.shape)}`);
    }
    const out: ValueInfo[] = [{ dtype: scores.dtype, shape: reduction === 'none' ? [scores.shape[0]] : [] }];
    if (outputCount > 1) out.push({ dtype: scores.dtype, shape: scores.shape });
    return out;
  },
  gradient: {
    emit: (g, [dLoss], [scores, labels], node) => ({
      // d/dscores = (softmax(scores) − onehot(labels)) · dLoss / count, zero on ignored rows.
      scores: () => {
        const logProb = node.outputs.length > 1 ? node.outputs[1] : g.logSoftmax(scores!, 1);
        const n = scores!.shape[0];
        const ignore = node.attrs.ignore_index as number | undefined;
        const valid = ignore === undefined ? undefined : g.not(g.equal(labels!, g.scalar(scores!.graph, ignore, labels!.dtype)));
        const safeLabels = valid ? g.where(valid, labels!, g.scalar(scores!.graph, 0, labels!.dtype)) : labels!;
        const minusOne = g.full(scores!.graph, [n, 1], -1, scores!.dtype);
        let grad = g.scatterElements(g.exp(logProb), g.unsqueeze(safeLabels, [1]), minusOne, 1, 'add'); // [N, C]
        const weight = valid ? g.cast(valid, scores!.dtype) : undefined; // [N]
        if (weight) grad = g.mul(grad, g.unsqueeze(weight, [1]));
        const reduction = (node.attrs.reduction as string | undefined) ?? 'mean';
        if (reduction === 'none') return g.mul(grad, g.unsqueeze(dLoss!, [1]));
        if (reduction === 'sum') return g.mul(grad, dLoss!);
        const count = weight ? g.reduceSum(weight) : isStatic(n) ? g.scalar(scores!.graph, n, scores!.dtype) : g.cast(g.size(labels!), scores!.dtype);
        return g.mul(grad, g.div(dLoss!, count));
      },
    }),
  },
};
