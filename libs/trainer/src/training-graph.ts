/**
 * @module training-graph
 * One training step of one network as one graph: forward, the loss (cross-entropy, plus
 * distillation from a teacher's logits for a student), and the gradients of the trainable
 * parameters, all from a single session run.
 */
import { F, gradients, Graph, Value } from '@carve/engine';
import { buildModelGraph, LoraConfig, ModelConfig, ModelGraph, SubNetwork } from '@carve/model';
import { distillationLoss, DistillationKind } from './distillation';

export interface DistillationOptions {
  /** Weight β of the distillation term. */
  weight: number;
  temperature: number;
  kind: DistillationKind;
}

export interface TrainingGraphOptions {
  subNetwork?: SubNetwork;
  lora?: LoraConfig;
  /** What gets gradients: every base weight, or only the LoRA adapters (base frozen). */
  trainable: 'all' | 'lora';
  /** Weight α of the cross-entropy term. @default 1 */
  ceWeight?: number;
  /** Adds a `teacher_logits` input [B·T, V] and the distillation term. */
  distillation?: DistillationOptions;
  /** Also output the logits (detached), to serve as the teacher of sub-networks. */
  outputLogits?: boolean;
  ignoreIndex?: number;
  /**
   * A static sequence length lets causal attention skip the blocks above the diagonal
   * (see buildModelGraph); the graph then takes exactly this many tokens per row. @default 'T'
   */
  seq?: number;
  /** Frozen parameters fed as float16 (see ModelGraphOptions.halfParams); none when every weight trains. */
  halfParams?: ReadonlySet<string>;
}

export interface TrainingGraph {
  graph: Graph;
  model: ModelGraph;
  /** Names of the trainable parameters; output `grad.<name>` holds each gradient. */
  trainable: string[];
}

/**
 * Builds the step graph. Outputs: `loss` (the weighted total), `ce`, `kd` (with
 * distillation), `logits` (with outputLogits) and `grad.<name>` per trainable parameter.
 * Gradients are w.r.t. the full-size parameters, zero outside the sub-network's block, so
 * the gradients of several sub-networks add up directly.
 */
export function buildTrainingGraph(config: ModelConfig, options: TrainingGraphOptions): TrainingGraph {
  if (options.trainable === 'lora' && !options.lora) throw new Error("trainable 'lora' needs a LoRA config");
  if (options.trainable === 'all' && options.halfParams?.size) throw new Error("trainable 'all' needs float32 weights: 16-bit ones carry no gradient");
  const model = buildModelGraph(config, {
    subNetwork: options.subNetwork,
    lora: options.lora,
    loss: true,
    ignoreIndex: options.ignoreIndex,
    seq: options.seq,
    halfParams: options.halfParams,
    // Training mode: LoRA dropout masks become inputs (model.dropoutMasks) when the rate is above 0.
    training: true,
  });
  const { graph } = model;
  const ce = model.loss!;
  const alpha = options.ceWeight ?? 1;
  let loss = alpha === 1 ? ce : F.mul(ce, alpha);
  const outputs: Record<string, Value> = { ce };
  if (options.distillation) {
    const teacher = graph.input('teacher_logits', 'float32', model.logits.shape);
    const kd = distillationLoss(teacher, model.logits, options.distillation.kind, options.distillation.temperature);
    outputs.kd = kd;
    loss = F.add(loss, F.mul(kd, options.distillation.weight));
  }
  const source = options.trainable === 'all' ? model.params : model.lora;
  const trainable = [...source.keys()];
  // allowUnused: a sub-network's graph does not touch the dropped layers' parameters.
  const grads = gradients(loss, trainable.map((n) => source.get(n)!), { allowUnused: true });
  graph.output({ loss, ...outputs });
  if (options.outputLogits) graph.output({ logits: F.stopGradient(model.logits) });
  graph.output(Object.fromEntries(trainable.map((n, i) => [`grad.${n}`, grads[i]])));
  return { graph, model, trainable };
}
