/**
 * @module steps/search/trained
 * What `carve train` left for the search: its adapters.safetensors holds either LoRA
 * adapters (with their config in the metadata) or, after `--full`, every weight.
 */
import { Checkpoint, LoraConfig, loraParamSpecs, openSafetensors, paramSpecs } from '@carve/model';
import { SearchStepError } from './errors';

export interface Trained {
  model: Checkpoint;
  lora?: { config: LoraConfig; adapters: Map<string, Float32Array> };
}

/**
 * Applies the trained file at `path` to `model`: adapters beside it, or weights instead of
 * its own. A file that does not fit is a SearchStepError 'invalid_trained' whose message
 * starts with `path`.
 */
export function applyTrained(model: Checkpoint, path: string): Trained {
  const file = openSafetensors(path);
  const kind = file.metadata['carve.trainable'];
  const fail = (message: string) => new SearchStepError(`${path}: ${message}`, 'invalid_trained');
  const read = (names: { name: string; shape: number[] }[]) => {
    const missing = names.filter((spec) => !file.entry(spec.name)).map((spec) => spec.name);
    if (missing.length) throw fail(`lacks ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}: trained for another model?`);
    for (const spec of names) {
      const shape = file.entry(spec.name)!.shape;
      if (shape.join() !== spec.shape.join()) throw fail(`${spec.name} is [${shape.join(', ')}], the model needs [${spec.shape.join(', ')}]`);
    }
    return new Map(names.map((spec) => [spec.name, file.read(spec.name)]));
  };
  if (kind === 'all') return { model: { config: model.config, weights: read(paramSpecs(model.config)) } };
  if (kind !== 'lora' || file.metadata['carve.lora'] === undefined) {
    throw fail("not written by `carve train` (its metadata has no carve.trainable 'lora' or 'all')");
  }
  const config = JSON.parse(file.metadata['carve.lora']) as LoraConfig;
  return { model, lora: { config, adapters: read(loraParamSpecs(model.config, config)) } };
}
