/**
 * @module plugins
 * The registry a run resolves its plugins from: carve's built-in search spaces, importance
 * scorers, samplers, training strategies, pruning baselines, search strategies, objectives, evaluation tasks
 * and catalog backends, registered exactly as a third party's are, then the plugin packages
 * the run names.
 */
import { baselinePlugins } from '@carve/baselines';
import { catalogBackendPlugins } from '@carve/catalog';
import { taskPlugins } from '@carve/evaluation';
import { importancePlugins } from '@carve/importance';
import { objectivePlugins } from '@carve/objectives';
import { optimizerPlugins } from '@carve/optimizer';
import { loadPluginPackages, PluginDefinition, PluginRegistry } from '@carve/registry';
import { samplerPlugins } from '@carve/sampler';
import { searchSpacePlugins } from '@carve/search-space';
import { strategyPlugins } from '@carve/trainer';

/** Every built-in plugin, in pipeline order. */
export const BUILT_IN_PLUGINS: readonly (readonly PluginDefinition[])[] = [
  searchSpacePlugins as readonly PluginDefinition[],
  importancePlugins as readonly PluginDefinition[],
  samplerPlugins as readonly PluginDefinition[],
  strategyPlugins as readonly PluginDefinition[],
  baselinePlugins as readonly PluginDefinition[],
  optimizerPlugins as readonly PluginDefinition[],
  objectivePlugins as readonly PluginDefinition[],
  taskPlugins as readonly PluginDefinition[],
  catalogBackendPlugins as readonly PluginDefinition[],
];

/**
 * A registry holding the built-ins (source '@carve') and the plugins of `pluginPackages`,
 * each resolved as `require` would from `resolveFrom`. A package that cannot be loaded is a
 * PluginError listing every problem of every package.
 */
export function createRegistry(pluginPackages: readonly string[], resolveFrom: string): PluginRegistry {
  const registry = new PluginRegistry();
  for (const definitions of BUILT_IN_PLUGINS) registry.register(definitions, { source: '@carve' });
  if (pluginPackages.length > 0) loadPluginPackages(registry, pluginPackages, { resolveFrom });
  return registry;
}
