/**
 * @module steps/search/inputs
 * What the objectives are built for: the model (with what training left), the held-out
 * token ids, the space, and a runtime on the step's device, loaded from the step's options.
 */
import * as fs from 'node:fs';
import { Device, resolveDevice, Runtime } from '@carve/engine';
import { Checkpoint, loadCheckpoint, loadTokenizer } from '@carve/model';
import { ObjectiveContext } from '@carve/objectives';
import { SearchSpace } from '@carve/search-space';
import { applyTrained } from './trained';

/** Held-out text for the loss objectives: token ids, or a UTF-8 file and its tokenizer. */
export type SearchValidation = readonly number[] | { file: string; tokenizer: string };

export interface SearchInputs {
  /** The model, or its checkpoint (a Hugging Face folder or a llama2.c .bin). */
  model: Checkpoint | string;
  /** The adapters.safetensors of training: LoRA adapters, or every weight after a full fine-tune. */
  trained?: string;
  validation?: SearchValidation;
  space: SearchSpace;
  /** ONNX Runtime intra-op threads for the loss objectives. */
  threads: number;
  /** Where the loss objectives run (see resolveDevice; latency objectives take theirs from their options). @default 'cpu' */
  device?: Device;
  seed: number;
}

/** The objectives' context; the caller disposes its runtime. */
export async function objectiveContext(inputs: SearchInputs): Promise<ObjectiveContext & { runtime: Runtime }> {
  const { executionProviders } = await resolveDevice(inputs.device ?? 'cpu');
  const loaded = typeof inputs.model === 'string' ? loadCheckpoint(inputs.model) : inputs.model;
  const { model, lora } = inputs.trained !== undefined ? applyTrained(loaded, inputs.trained) : { model: loaded, lora: undefined };
  const config = model.config;
  const v = inputs.validation;
  const validation = v === undefined || isIds(v) ? v : loadTokenizer(v.tokenizer, { vocabSize: config.vocabSize }).encode(fs.readFileSync(v.file, 'utf8'), { bos: true });
  const runtime = new Runtime({ intraOpThreads: inputs.threads, executionProviders });
  return { config, model, lora, validation, space: inputs.space, runtime, seed: inputs.seed };
}

function isIds(v: SearchValidation): v is readonly number[] {
  return Array.isArray(v);
}
