/**
 * @module steps/train/model-space
 * The model and search space a training run works on, when the caller gives paths and names
 * rather than objects: the checkpoint, the layer order (from an importance.json, if named),
 * and the space built through the plugin registry.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
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
  const layerOrder = orderFile === undefined ? undefined : readLayerOrder(orderFile, label);
  const context: SearchSpaceContext = { config: model.config, layerOrder };
  // A copy, so that the space cannot change the options recorded in run.json.
  const space = registry.create<SearchSpace>('search-space', s.space, structuredClone(s.spaceOptions), context);
  return { model, space, layerOrderFrom: orderFile };
}

/** The layer order in an importance.json of `carve importance` (checked by the space against the model). */
function readLayerOrder(file: string, label: SettingLabel): number[] {
  let layers: unknown;
  try {
    layers = (JSON.parse(fs.readFileSync(file, 'utf8')) as { orders?: { layers?: unknown } }).orders?.layers;
  } catch (e) {
    throw new TrainError(`${label('importance')} ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(layers) || !layers.every((l) => Number.isInteger(l))) {
    throw new TrainError(`${label('importance')} ${file}: no "orders.layers" list of layer indices; give the importance.json that \`carve importance\` wrote`);
  }
  return layers as number[];
}

/** importance.json itself, or the one inside a folder. */
function importanceFile(path: string): string {
  return fs.existsSync(path) && fs.statSync(path).isDirectory() ? nodePath.join(path, 'importance.json') : path;
}
