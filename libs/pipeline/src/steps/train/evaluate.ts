/**
 * @module steps/train/evaluate
 * Validation loss of named sub-networks during training: each runs through LanguageModel on
 * the trainer's own arrays (base weights and adapters, updated in place by the optimizer, so
 * one compiled model per network serves every evaluation), over every validation row, with
 * the masked targets skipped as in training.
 */
import { Runtime } from '@carve/engine';
import { Checkpoint, countParams, LanguageModel, LoraConfig, SubNetwork } from '@carve/model';
import { DataLoader } from '@carve/trainer';

export interface ValidationLoss {
  params: number;
  /** Mean cross-entropy per learned target token, in nats. */
  loss: number;
  perplexity: number;
  tokens: number;
}

export interface Evaluator {
  /** Each network's validation loss, by name. */
  evaluate(): Promise<Record<string, ValidationLoss>>;
  dispose(): Promise<void>;
}

export interface EvaluatorSetup {
  model: Checkpoint;
  lora?: { config: LoraConfig; adapters: Map<string, Float32Array> };
  networks: Record<string, SubNetwork>;
  data: DataLoader;
  batchSize: number;
  ignoreIndex: number;
  runtime: Runtime;
}

/** An evaluator of `setup.networks`, compiling each network's model once, on first use. */
export function createEvaluator(setup: EvaluatorSetup): Evaluator {
  const models = new Map<string, Promise<LanguageModel>>();
  const modelOf = (name: string) => {
    let lm = models.get(name);
    if (!lm) models.set(name, (lm = LanguageModel.create(setup.model, { runtime: setup.runtime, subNetwork: setup.networks[name], lora: setup.lora })));
    return lm;
  };
  return {
    async evaluate() {
      const out: Record<string, ValidationLoss> = {};
      for (const name of Object.keys(setup.networks)) {
        const lm = await modelOf(name);
        let total = 0;
        let tokens = 0;
        for (const batch of setup.data.validationBatches(setup.batchSize)) {
          const part = await lm.targetLoss(batch.tokens, batch.targets, setup.ignoreIndex);
          total += part.sum;
          tokens += part.tokens;
        }
        const loss = tokens ? total / tokens : NaN;
        out[name] = { params: countParams(setup.model.config, setup.networks[name]), loss, perplexity: Math.exp(loss), tokens };
      }
      return out;
    },
    async dispose() {
      for (const lm of models.values()) await (await lm).dispose();
      models.clear();
    },
  };
}
