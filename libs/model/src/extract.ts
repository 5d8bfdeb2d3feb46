/**
 * @module extract
 * Turns a sub-network into a standalone smaller model: LoRA merged into the base weights
 * first, then each parameter's block copied out with the same views the graph slices with.
 */
import { Checkpoint, WeightValues } from './checkpoint/checkpoint';
import { LoraConfig, mergeLora } from './lora';
import { paramSpecs } from './params';
import { paramView, sliceWeight } from './slicing';
import { SubNetwork, subNetworkConfig } from './subnetwork';

export interface ExtractOptions {
  /** Name of the extracted model. @default `${name}-sub` */
  name?: string;
  /** Adapters to merge before slicing. */
  lora?: { config: LoraConfig; adapters: ReadonlyMap<string, Float32Array> };
}

/** The sub-network `s` of `model` as a model of its own. */
export function extractSubNetwork(model: Checkpoint, s: SubNetwork, options: ExtractOptions = {}): Checkpoint {
  const { config: c } = model;
  const config = subNetworkConfig(c, s, options.name);
  const source = options.lora ? mergeLora(c, model.weights, options.lora.adapters, options.lora.config) : model.weights;
  const fullSpecs = new Map(paramSpecs(c).map((spec) => [spec.name, spec]));
  const weights = new Map<string, WeightValues>();
  for (const spec of paramSpecs(config)) {
    // Layer j of the extracted model is layer s.layers[j].index of the full one.
    const from = spec.name.replace(/^layers\.(\d+)\./, (_, j: string) => `layers.${s.layers[Number(j)].index}.`);
    const fullSpec = fullSpecs.get(from);
    const data = source.get(from);
    if (!fullSpec || !data) throw new Error(`extractSubNetwork: model '${c.name}' has no parameter '${from}'`);
    const block = sliceWeight(data, paramView(c, s, fullSpec));
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (block.length !== size) throw new Error(`extractSubNetwork: '${from}' gave ${block.length} values for '${spec.name}' [${spec.shape.join(', ')}]`);
    weights.set(spec.name, block);
  }
  return { config, weights };
}
