/**
 * @module steps/search/inputs
 * What the objectives are built for: the model (with what training left), the held-out
 * token ids and their tokenizer, where tasks find their data, the space, and a runtime on
 * the step's device, loaded from the step's options.
 */
import * as fs from 'node:fs';
import { Device, resolveDevice, Runtime } from '@carve/engine';
import { Checkpoint, loadCheckpoint, loadTokenizer } from '@carve/model';
import { TaskContext, TaskOrGroup } from '@carve/evaluation';
import { ObjectiveContext } from '@carve/objectives';
import { PluginRegistry } from '@carve/registry';
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
  /** Where task-accuracy objectives find data their options do not name (the held-out text, say). */
  tasks?: TaskContext;
  /** Creates the tasks of task-accuracy objectives (plugin packages' tasks too). @default the built-in tasks */
  registry?: PluginRegistry;
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
  const tokenizer = v === undefined || isIds(v) ? undefined : loadTokenizer(v.tokenizer, { vocabSize: config.vocabSize });
  const validation = v === undefined || isIds(v) ? v : tokenizer!.encode(fs.readFileSync(v.file, 'utf8'), { bos: true });
  const runtime = new Runtime({ intraOpThreads: inputs.threads, executionProviders });
  const taskContext = inputs.tasks ?? (v !== undefined && !isIds(v) ? { text: v.file } : {});
  const registry = inputs.registry;
  const createTask = registry && ((name: string, options: unknown) => registry.create<TaskOrGroup>('task', name, options, taskContext));
  return { config, model, lora, validation, tokenizer, taskContext, createTask, space: inputs.space, runtime, seed: inputs.seed };
}

function isIds(v: SearchValidation): v is readonly number[] {
  return Array.isArray(v);
}
