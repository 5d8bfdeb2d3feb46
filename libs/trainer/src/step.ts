/**
 * @module step
 * Runs a strategy's plan on a batch: one compiled graph per distinct network (cached), the
 * full network first when students need its logits, and every network's gradients added
 * into one set, scaled so a step's loss is the mean over its networks and micro-batches.
 */
import { CompiledGraph, Rng, Runtime, Tensor } from '@carve/engine';
import { dropoutMask, halfParamsOf, LoraConfig, ModelConfig, weightFeeds, WeightValues } from '@carve/model';
import { PlannedNetwork } from './strategies';
import { buildTrainingGraph } from './training-graph';

export interface StepSetup {
  config: ModelConfig;
  /**
   * Base weights; updated in place by the optimizer when they train (then all float32: see
   * float32Weights). A frozen base may keep 16-bit weights, which its graphs cast.
   */
  weights: Map<string, WeightValues>;
  /** Adapters on a frozen base, when LoRA trains. */
  lora?: { config: LoraConfig; adapters: Map<string, Float32Array> };
  trainable: 'all' | 'lora';
  runtime: Runtime;
  /** Tokens per sequence: static, so attention runs in blocks. */
  seqLen: number;
  ignoreIndex?: number;
  /** Draws the LoRA dropout masks (when the LoRA dropout is above 0); checkpointed by the trainer. */
  dropoutRng?: Rng;
  /**
   * Rows per run: a larger batch runs in chunks of at most this many rows, each chunk's
   * gradients weighted by its share of the rows, so the step's gradient is the batch's (as
   * gradient accumulation gives it: exactly, but for float rounding, when every row counts
   * the same number of tokens) while a run holds the activations of one chunk only.
   * @default the whole batch in one run
   */
  microBatch?: number;
}

export interface Batch {
  tokens: Tensor;
  targets: Tensor;
}

/** What each planned network scored on the batch. */
export interface NetworkResult {
  loss: number;
  ce: number;
  kd?: number;
}

interface Compiled {
  session: CompiledGraph;
  feeds: Record<string, Tensor>;
  trainable: string[];
  /** LoRA dropout mask inputs and their widths. */
  masks: [string, number][];
}

/** Rows [start, start + count) of a [B, T] tensor (fewer at the end). */
function rowSlice(t: Tensor, start: number, count: number): Tensor {
  const [B, T] = t.shape;
  const end = Math.min(B, start + count);
  return new Tensor(t.dtype, [end - start, T], t.data.subarray(start * T, end * T) as never);
}

export class SuperNetworkStep {
  private readonly graphs = new Map<string, Promise<Compiled>>();

  private readonly trained: Map<string, Float32Array>;

  constructor(readonly setup: StepSetup) {
    if (setup.microBatch !== undefined && !(Number.isInteger(setup.microBatch) && setup.microBatch >= 1)) throw new Error(`microBatch must be a positive integer, got ${setup.microBatch}`);
    if (setup.trainable === 'lora') this.trained = setup.lora!.adapters;
    else {
      const half = [...halfParamsOf(setup.weights)];
      if (half.length) throw new Error(`training every weight needs them in float32, but ${half.length} are 16-bit (${half.slice(0, 3).join(', ')}, ...): decode them with float32Weights first`);
      this.trained = setup.weights as Map<string, Float32Array>;
    }
  }

  /** The parameters that train: names and arrays (the optimizer's parameters). */
  get parameters(): Map<string, Float32Array> {
    return this.trained;
  }

  /**
   * Runs `plan` on `batch` and adds each network's gradients, times `scale`, into `grads`
   * (created as zeros for each trainable parameter on first use). Returns each network's losses.
   */
  async accumulate(plan: readonly PlannedNetwork[], batch: Batch, grads: Map<string, Float32Array>, scale: number): Promise<NetworkResult[]> {
    const rows = batch.tokens.shape[0];
    const chunk = this.setup.microBatch ?? rows;
    if (chunk >= rows) return this.accumulateRows(plan, batch, grads, scale);
    const totals: NetworkResult[] = plan.map(() => ({ loss: 0, ce: 0 }));
    for (let start = 0; start < rows; start += chunk) {
      const share = (Math.min(rows, start + chunk) - start) / rows;
      const part = await this.accumulateRows(plan, { tokens: rowSlice(batch.tokens, start, chunk), targets: rowSlice(batch.targets, start, chunk) }, grads, scale * share);
      part.forEach((r, i) => {
        totals[i].loss += share * r.loss;
        totals[i].ce += share * r.ce;
        if (r.kd !== undefined) totals[i].kd = (totals[i].kd ?? 0) + share * r.kd;
      });
    }
    return totals;
  }

  private async accumulateRows(plan: readonly PlannedNetwork[], batch: Batch, grads: Map<string, Float32Array>, scale: number): Promise<NetworkResult[]> {
    const needsTeacher = plan.some((p) => p.distillation);
    const teacherIndex = plan.findIndex((p) => !p.subNetwork);
    if (needsTeacher && teacherIndex < 0) throw new Error('a plan with distillation needs the full network as its teacher');
    // The teacher runs first so its logits are there for the students.
    const order = needsTeacher ? [teacherIndex, ...plan.map((_, i) => i).filter((i) => i !== teacherIndex)] : plan.map((_, i) => i);
    const results: NetworkResult[] = new Array(plan.length);
    let teacher: Tensor | undefined;
    for (const i of order) {
      const p = plan[i];
      const compiled = await this.compiled(p, needsTeacher && i === teacherIndex);
      const out = await compiled.session.run({ ...compiled.feeds, ...batch, ...this.dropoutMasks(compiled, batch), ...(p.distillation ? { teacher_logits: teacher! } : {}) });
      if (needsTeacher && i === teacherIndex) teacher = out.logits;
      results[i] = { loss: Number(out.loss.data[0]), ce: Number(out.ce.data[0]), kd: out.kd ? Number(out.kd.data[0]) : undefined };
      for (const name of compiled.trainable) {
        const g = out[`grad.${name}`].data as Float32Array;
        let acc = grads.get(name);
        if (!acc) grads.set(name, (acc = new Float32Array(g.length)));
        for (let k = 0; k < g.length; k++) acc[k] += scale * g[k];
      }
    }
    return results;
  }

  /** Fresh dropout masks for one run, [B·T, width] each, from the setup's generator. */
  private dropoutMasks(compiled: Compiled, batch: Batch): Record<string, Tensor> {
    if (compiled.masks.length === 0) return {};
    const { lora, dropoutRng } = this.setup;
    if (!dropoutRng) throw new Error('LoRA dropout above 0 needs a dropoutRng in the step setup');
    const rows = batch.tokens.shape[0] * batch.tokens.shape[1];
    return Object.fromEntries(compiled.masks.map(([name, width]) => [name, new Tensor('float32', [rows, width], dropoutMask(rows, width, lora!.config.dropout, dropoutRng))]));
  }

  /** Releases every compiled graph. */
  async dispose(): Promise<void> {
    for (const c of this.graphs.values()) await (await c).session.dispose();
    this.graphs.clear();
  }

  private compiled(p: PlannedNetwork, teacher: boolean): Promise<Compiled> {
    const key = JSON.stringify([p.subNetwork ?? 'full', p.ceWeight, p.distillation ?? null, teacher]);
    let entry = this.graphs.get(key);
    if (!entry) {
      const { config, weights, lora, trainable, runtime, seqLen, ignoreIndex } = this.setup;
      const tg = buildTrainingGraph(config, {
        subNetwork: p.subNetwork,
        lora: lora?.config,
        trainable,
        ceWeight: p.ceWeight,
        distillation: p.distillation,
        outputLogits: teacher,
        ignoreIndex,
        seq: seqLen,
        halfParams: halfParamsOf(weights),
      });
      const masks = [...tg.model.dropoutMasks].map(([name, v]) => [name, v.shape[1] as number] as [string, number]);
      entry = runtime.compile(tg.graph).then((session) => ({ session, feeds: weightFeeds(tg.model, weights, lora?.adapters), trainable: tg.trainable, masks }));
      this.graphs.set(key, entry);
    }
    return entry;
  }
}
