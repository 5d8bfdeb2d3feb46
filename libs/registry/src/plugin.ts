/**
 * @module plugin
 * What a plugin is: a plain, typed object (like an ESLint rule or a Rollup plugin), with no
 * base class and no registration side effect, so a package can export a list of them and the
 * registry decides what to do with them.
 */
import type { z } from 'zod';

/**
 * The version of the plugin contract this registry speaks. It changes only when the shape of
 * a definition or the meaning of `create` changes; a definition (and a plugin package)
 * declares the version it was written for, and the registry refuses any other.
 */
export const PLUGIN_API_VERSION = 1;

/** Every kind of plugin, in the order of the pipeline's data flow (listings follow it). */
export const PLUGIN_KINDS = [
  'search-space',
  'importance',
  'sampler',
  'training-strategy',
  'baseline',
  'optimizer',
  'objective',
  'task',
  'catalog-backend',
] as const;

/** The stage of the pipeline a plugin serves; its kind library defines `Instance` and `Context`. */
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/**
 * A plugin: a named, versioned factory of one kind, with its options declared as a zod schema.
 *
 * Lifecycle. A definition is registered once (`PluginRegistry.register`), which checks its
 * shape and that no other plugin of its kind has its name. When a run needs it, the registry
 * looks it up by kind and name, parses the options from the run spec with `options` (so the
 * plugin receives a complete, typed `Options`, defaults filled in, and never sees an invalid
 * value), and calls `create(options, context)` once per use. `create` returns the instance
 * the kind's contract describes (a sampler, an objective, a catalog backend...), or a promise
 * of it; whatever it throws is reported with the plugin's `kind/name@version`.
 *
 * Requirements:
 * - `name` is lowercase-kebab (`calibrated-grid`); it is what a run spec writes.
 * - `version` is the plugin's own semver version (`1.2.0`), recorded with every run.
 * - `apiVersion` is {@link PLUGIN_API_VERSION} at the time the plugin was written.
 * - `options` gives every option a default (`z.number().default(21)`), so `{}` is a valid
 *   configuration and a spec only writes what it changes. Unknown option keys are rejected.
 * - `create` validates nothing the schema could have checked; what the schema cannot express
 *   (a combination of options, a fit with the context) it reports by throwing a `UserError`.
 */
export interface PluginDefinition<Options = unknown, Instance = unknown, Context = unknown> {
  readonly kind: PluginKind;
  /** Lowercase-kebab name, unique within the kind. */
  readonly name: string;
  /** Semver version of the plugin itself. */
  readonly version: string;
  /** The plugin API the definition was written for: {@link PLUGIN_API_VERSION}. */
  readonly apiVersion: number;
  /** One line for listings and errors. */
  readonly description: string;
  /** The options with their defaults; parsing `{}` gives the default configuration. */
  readonly options: z.ZodType<Options>;
  /** Builds an instance from parsed options and what the pipeline provides at that stage. */
  create(options: Options, context: Context): Instance;
}

/**
 * Returns its argument unchanged: it exists so TypeScript infers `Options` from the zod schema
 * and checks `create` against it, without the author writing the types out.
 */
export function definePlugin<Options, Instance, Context>(
  definition: PluginDefinition<Options, Instance, Context>,
): PluginDefinition<Options, Instance, Context> {
  return definition;
}

/** `kind/name@version`, the way every message names a plugin. */
export function pluginId(definition: Pick<PluginDefinition, 'kind' | 'name' | 'version'>): string {
  return `${definition.kind}/${definition.name}@${definition.version}`;
}
