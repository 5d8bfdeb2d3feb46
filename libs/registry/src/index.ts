/**
 * @module @carve/registry
 * The plugin registry: plugin definitions as plain typed objects, their registration and
 * creation with options validated by zod, third-party plugin packages, and the contract test
 * every plugin's own tests call.
 */
export { PLUGIN_API_VERSION, PLUGIN_KINDS, definePlugin, pluginId } from './plugin';
export type { PluginDefinition, PluginKind } from './plugin';
export { PluginRegistry } from './registry';
export type { PluginListing, RegisterOptions } from './registry';
export { PluginCreateError, PluginError } from './errors';
export type { PluginErrorCode } from './errors';
export { loadPluginPackages } from './discovery';
export type { LoadedPluginPackage, LoadPluginPackagesOptions } from './discovery';
export { runPluginContract } from './contract';
export type { InvalidOptionsCase, PluginContractCases, PluginContractResult } from './contract';
