/**
 * @module ops
 * The operator table: every operator the engine can build, differentiate and export.
 * Registered in one loop that refuses a duplicate type.
 */
import { OpDef } from '../op-def';
import { absOp } from './abs';
import { addOp } from './add';
import { castOp } from './cast';
import { concatOp } from './concat';
import { constantOfShapeOp } from './constant-of-shape';
import { cosOp } from './cos';
import { divOp } from './div';
import { equalOp } from './equal';
import { erfOp } from './erf';
import { expOp } from './exp';
import { expandOp } from './expand';
import { gatherOp } from './gather';
import { gatherElementsOp } from './gather-elements';
import { geluOp } from './gelu';
import { gemmOp } from './gemm';
import { greaterOp } from './greater';
import { identityOp } from './identity';
import { layerNormalizationOp } from './layer-normalization';
import { lessOp } from './less';
import { logOp } from './log';
import { logSoftmaxOp } from './log-softmax';
import { matmulOp } from './matmul';
import { mulOp } from './mul';
import { negOp } from './neg';
import { notOp } from './not';
import { padOp } from './pad';
import { powOp } from './pow';
import { rangeOp } from './range';
import { reciprocalOp } from './reciprocal';
import { reduceMaxOp } from './reduce-max';
import { reduceMeanOp } from './reduce-mean';
import { reduceSumOp } from './reduce-sum';
import { reluOp } from './relu';
import { reshapeOp } from './reshape';
import { scatterElementsOp } from './scatter-elements';
import { scatterNDOp } from './scatter-nd';
import { shapeOp } from './shape';
import { sigmoidOp } from './sigmoid';
import { signOp } from './sign';
import { sinOp } from './sin';
import { sizeOp } from './size';
import { sliceOp } from './slice';
import { softmaxOp } from './softmax';
import { softmaxCrossEntropyLossOp } from './softmax-cross-entropy-loss';
import { splitOp } from './split';
import { sqrtOp } from './sqrt';
import { squeezeOp } from './squeeze';
import { subOp } from './sub';
import { sumOp } from './sum';
import { tanhOp } from './tanh';
import { transposeOp } from './transpose';
import { triluOp } from './trilu';
import { unsqueezeOp } from './unsqueeze';
import { whereOp } from './where';

/** Every operator definition, one per ONNX op type. */
export const OP_TABLE: readonly OpDef[] = [
  absOp,
  addOp,
  castOp,
  concatOp,
  constantOfShapeOp,
  cosOp,
  divOp,
  equalOp,
  erfOp,
  expOp,
  expandOp,
  gatherOp,
  gatherElementsOp,
  geluOp,
  gemmOp,
  greaterOp,
  identityOp,
  layerNormalizationOp,
  lessOp,
  logOp,
  logSoftmaxOp,
  matmulOp,
  mulOp,
  negOp,
  notOp,
  padOp,
  powOp,
  rangeOp,
  reciprocalOp,
  reduceMaxOp,
  reduceMeanOp,
  reduceSumOp,
  reluOp,
  reshapeOp,
  scatterElementsOp,
  scatterNDOp,
  shapeOp,
  sigmoidOp,
  signOp,
  sinOp,
  sizeOp,
  sliceOp,
  softmaxOp,
  softmaxCrossEntropyLossOp,
  splitOp,
  sqrtOp,
  squeezeOp,
  subOp,
  sumOp,
  tanhOp,
  transposeOp,
  triluOp,
  unsqueezeOp,
  whereOp,
];

const byType = new Map<string, OpDef>();
for (const def of OP_TABLE) {
  if (byType.has(def.type)) throw new Error(`operator '${def.type}' is defined twice in the op table`);
  byType.set(def.type, def);
}

/** The definition of ONNX op type `type`, or undefined when the engine does not know it. */
export function getOpDef(type: string): OpDef | undefined {
  return byType.get(type);
}
