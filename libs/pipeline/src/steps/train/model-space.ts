/**
 * @module steps/train/model-space
 * The model and search space a training run works on, when the caller gives paths and names
 * rather than objects: the checkpoint, the layer order (from an importance.json, if named),
 * and the space built through the plugin registry.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { oneLine, preview } from '@carve/errors';
import { Checkpoint, loadCheckpoint } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { SearchSpace, SearchSpaceContext } from '@carve/search-space';
import { TrainError } from './errors';
import { plainLabel, SettingLabel, TrainSettings } from './settings';

/** A model with its weights, and the space of its sub-networks. */
export interface ModelAndSpace {
  model: Checkpoint;
  space: SearchSpace;
  /** Where the space's layer order came from, if not the default (for run.json). */
  layerOrderFrom?: string;
}

/**
 * Loads `s.checkpoint`, reads the layer order of `s.importance` (if any) and creates the space
 * `s.space` through `registry`; an unknown space fails before the model loads.
 */
export function loadModelAndSpace(s: Pick<TrainSettings, 'checkpoint' | 'space' | 'spaceOptions' | 'importance'>, registry: PluginRegistry, label: SettingLabel = plainLabel): ModelAndSpace {
  registry.get('search-space', s.space);
  const model = loadCheckpoint(s.checkpoint);
  const orderFile = s.importance === undefined ? undefined : importanceFile(s.importance);
  const layerOrder = orderFile === undefined ? undefined : readLayerOrder(orderFile, model.config.nLayer, label);
  const context: SearchSpaceContext = { config: model.config, layerOrder };
  // A copy, so that the space cannot change the options recorded in run.json.
  const space = registry.create<SearchSpace>('search-space', s.space, structuredClone(s.spaceOptions), context);
  return { model, space, layerOrderFrom: orderFile };
}

/**
 * The layer order in an importance.json of `carve importance`, checked against the model's
 * `nLayer` layers here, so that an error names the file (the space would name only the order).
 */
function readLayerOrder(file: string, nLayer: number, label: SettingLabel): number[] {
  let layers: unknown;
  try {
    layers = (JSON.parse(fs.readFileSync(file, 'utf8')) as { orders?: { layers?: unknown } }).orders?.layers;
  } catch (e) {
    throw new TrainError(`${label('importance')} ${file}: not valid JSON (${oneLine((e as Error).message)})`);
  }
  if (!Array.isArray(layers) || !layers.every((l) => Number.isInteger(l))) {
    throw new TrainError(`${label('importance')} ${file}: no "orders.layers" list of layer indices; give the importance.json that \`carve importance\` wrote`);
  }
  if (!isLayerPermutation(layers, nLayer)) {
    throw new TrainError(`${label('importance')} ${file}: "orders.layers" ${preview(layers, 80)} is not an order of the model's ${nLayer} layers (each of 0..${nLayer - 1} once); give the importance.json written for this model`);
  }
  return layers as number[];
}

/** Whether `layers` holds each of 0..nLayer-1 exactly once. */
function isLayerPermutation(layers: readonly number[], nLayer: number): boolean {
  const seen = new Set(layers);
  return layers.length === nLayer && seen.size === nLayer && layers.every((l) => Number.isInteger(l) && l >= 0 && l < nLayer);
}

/** importance.json itself, or the one inside a folder. */
function importanceFile(path: string): string {
  return fs.existsSync(path) && fs.statSync(path).isDirectory() ? nodePath.join(path, 'importance.json') : path;
}
