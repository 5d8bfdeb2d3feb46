/**
 * @module steps/train/record
 * What a run writes about itself: run.json (the versions, the settings with their defaults,
 * the model, what trains, the data, the space and the evaluated networks), and at the end
 * the trained tensors with what they are in their metadata.
 */
import { countParams, LoraConfig, loraParamSpecs, ModelConfig, paramSpecs, SubNetwork } from '@carve/model';
import { SearchSpace } from '@carve/search-space';
import { TrainingDataRecord } from '@carve/trainer';
import { MicroBatchChoice } from './memory';
import { writeAdapters } from './run-folder';
import { ResolvedTrainSettings } from './settings';
import { packageVersions } from '../../versions';

/** The libraries whose code decides a run's result. */
const LIBRARIES = ['@carve/pipeline', '@carve/trainer', '@carve/sampler', '@carve/search-space', '@carve/model', '@carve/engine'];

/** What run.json is made of. */
export interface TrainRunRecordParts {
  /** Versions of the caller's packages (e.g. the CLI), recorded before the libraries'. */
  versions: Record<string, string>;
  settings: ResolvedTrainSettings;
  config: ModelConfig;
  trainableParameters: number;
  data: TrainingDataRecord;
  space: SearchSpace;
  layerOrderFrom?: string;
  evaluated: Record<string, SubNetwork>;
  /** With a memory budget: the micro-batch chosen and the peaks it came from. */
  memory?: MicroBatchChoice;
}

/** The content of run.json. */
export function trainRunRecord(p: TrainRunRecordParts): Record<string, unknown> {
  const s = p.settings;
  return {
    carve: { ...p.versions, ...packageVersions(LIBRARIES) },
    settings: s,
    seed: s.seed,
    model: { name: p.config.name, family: p.config.family, parameters: countParams(p.config), checkpoint: s.checkpoint },
    trainable: { kind: s.full ? 'all' : 'lora', parameters: p.trainableParameters },
    data: p.data,
    space: { name: p.space.name, options: s.spaceOptions, layerOrder: p.space.layerOrder, ...(p.layerOrderFrom ? { layerOrderFrom: p.layerOrderFrom } : {}), size: p.space.size().toString() },
    evaluation: Object.fromEntries(Object.entries(p.evaluated).map(([name, n]) => [name, { params: countParams(p.config, n), subNetwork: n }])),
    ...(p.memory ? { memory: { budgetMb: s.memoryBudgetMb, ...p.memory } } : {}),
    started: new Date().toISOString(),
  };
}

/** Writes the trained tensors in their shapes into `out`: the adapters, or every weight without `lora`. */
export function writeTrained(out: string, config: ModelConfig, parameters: Map<string, Float32Array>, lora?: LoraConfig): string {
  const specs = lora ? loraParamSpecs(config, lora) : paramSpecs(config);
  const tensors = specs.map((spec): [string, { shape: number[]; data: Float32Array }] => [spec.name, { shape: spec.shape, data: parameters.get(spec.name)! }]);
  return writeAdapters(out, tensors, {
    'carve.trainable': lora ? 'lora' : 'all',
    'carve.model': config.name,
    ...(lora ? { 'carve.lora': JSON.stringify(lora) } : {}),
  });
}
