/**
 * @module model-space
 * The options every sub-network command shares: which model (a checkpoint or a preset),
 * which search space with which options, the layer order (given, or read from an
 * importance.json), and the plugin packages to load. `resolveModelSpace` checks them all
 * before anything is loaded and builds the space through the registry.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { oneLine, preview } from '@carve/errors';
import { Checkpoint, loadCheckpoint, ModelConfig, presetConfig, presetNames } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { SearchSpace, SearchSpaceContext } from '@carve/search-space';
import { Command } from 'commander';
import { CliError } from './errors';
import { collect, createRegistry } from './plugins';

export interface ModelSpaceArgs {
  checkpoint?: string;
  preset?: string;
  space: string;
  spaceOptions?: string;
  layerOrder?: string;
  importance?: string;
  plugin: string[];
}

export interface ModelSpace {
  registry: PluginRegistry;
  config: ModelConfig;
  /** The weights, when the model came from --checkpoint. */
  model?: Checkpoint;
  /** What the model is, for records: its name and where it came from. */
  source: { name: string; checkpoint?: string; preset?: string };
  space: SearchSpace;
  spaceOptions: unknown;
  /** Where the layer order came from, if not the default. */
  layerOrderFrom?: string;
}

/** Adds the model, space and plugin options to `command`. */
export function withModelSpaceOptions(command: Command): Command {
  return command
    .option('--checkpoint <path>', 'model: a Hugging Face folder or a llama2.c .bin file')
    .option('--preset <name>', `model: a preset config, without weights (${presetNames().join(', ')})`)
    .option('--space <name>', 'search space plugin: joint | layerwise | explicit, or one from --plugin', 'joint')
    .option('--space-options <json>', 'the space\'s options as JSON, e.g. \'{"minDepth":2}\'')
    .option('--layer-order <list>', 'layers from most to least important, e.g. 0,1,4,2,3 (depth d keeps the first d)')
    .option('--importance <path>', 'take the layer order from the importance.json of `carve importance` (or its folder)')
    .option('--plugin <package>', 'load the plugins of an installed package (repeatable)', collect, []);
}

/** Parses a JSON option value; a syntax error names the option. */
export function jsonOption(option: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(oneLine(`--${option}: not valid JSON (${(e as Error).message}): ${text}`));
  }
}

/** Every problem with the model and space options, at once, before anything is loaded. */
export function modelSpaceIssues(args: ModelSpaceArgs): string[] {
  const issues: string[] = [];
  if (args.checkpoint === undefined && args.preset === undefined) issues.push('give the model: --checkpoint PATH or --preset NAME');
  if (args.checkpoint !== undefined && args.preset !== undefined) issues.push('give --checkpoint or --preset, not both');
  if (args.checkpoint !== undefined && !fs.existsSync(args.checkpoint)) issues.push(`--checkpoint ${args.checkpoint}: no such file or folder`);
  if (args.preset !== undefined && !presetNames().includes(args.preset)) issues.push(`--preset ${args.preset}: unknown (known: ${presetNames().join(', ')})`);
  if (args.layerOrder !== undefined && args.importance !== undefined) issues.push('give --layer-order or --importance, not both');
  if (args.layerOrder !== undefined && !/^\s*\d+(\s*,\s*\d+)*\s*$/.test(args.layerOrder)) issues.push(`--layer-order ${args.layerOrder}: expected layer indices separated by commas, like 0,1,4,2,3`);
  if (args.importance !== undefined && !fs.existsSync(importanceFile(args.importance))) issues.push(`--importance ${args.importance}: no such file`);
  for (const [option, text] of [['space-options', args.spaceOptions]] as const) {
    try {
      jsonOption(option, text);
    } catch (e) {
      issues.push((e as Error).message);
    }
  }
  return issues;
}

/**
 * Loads the registry (built-ins and --plugin packages), the model and the layer order, and
 * creates the space. Call `modelSpaceIssues` first, with the command's own checks.
 */
export function resolveModelSpace(args: ModelSpaceArgs): ModelSpace {
  const registry = createRegistry(args.plugin, process.cwd());
  registry.get('search-space', args.space); // an unknown space fails before the model loads
  const model = args.checkpoint !== undefined ? loadCheckpoint(args.checkpoint) : undefined;
  const config = model?.config ?? presetConfig(args.preset!);
  const source = { name: config.name, ...(args.checkpoint !== undefined ? { checkpoint: args.checkpoint } : { preset: args.preset }) };
  const { layerOrder, from } = readLayerOrder(args, config.nLayer);
  const spaceOptions = jsonOption('space-options', args.spaceOptions);
  const context: SearchSpaceContext = { config, layerOrder };
  const space = registry.create<SearchSpace>('search-space', args.space, spaceOptions, context);
  return { registry, config, model, source, space, spaceOptions: spaceOptions ?? {}, layerOrderFrom: from };
}

/**
 * The layer order of --layer-order (checked by the space against the model) or --importance
 * (checked here against the model's `nLayer` layers, so that an error names the file).
 */
function readLayerOrder(args: ModelSpaceArgs, nLayer: number): { layerOrder?: number[]; from?: string } {
  if (args.layerOrder !== undefined) return { layerOrder: args.layerOrder.split(',').map((x) => Number(x.trim())), from: '--layer-order' };
  if (args.importance === undefined) return {};
  const file = importanceFile(args.importance);
  let layers: unknown;
  try {
    layers = (JSON.parse(fs.readFileSync(file, 'utf8')) as { orders?: { layers?: unknown } }).orders?.layers;
  } catch (e) {
    throw new CliError(`--importance ${file}: not valid JSON (${oneLine((e as Error).message)})`);
  }
  if (!Array.isArray(layers) || !layers.every((l) => Number.isInteger(l))) {
    throw new CliError(`--importance ${file}: no "orders.layers" list of layer indices; give the importance.json that \`carve importance\` wrote`);
  }
  const each = new Set(layers);
  if (layers.length !== nLayer || each.size !== nLayer || !layers.every((l: number) => l >= 0 && l < nLayer)) {
    throw new CliError(`--importance ${file}: "orders.layers" ${preview(layers, 80)} is not an order of the model's ${nLayer} layers (each of 0..${nLayer - 1} once); give the importance.json written for this model`);
  }
  return { layerOrder: layers as number[], from: file };
}

/** importance.json itself, or the one inside a folder. */
function importanceFile(path: string): string {
  return fs.existsSync(path) && fs.statSync(path).isDirectory() ? nodePath.join(path, 'importance.json') : path;
}
