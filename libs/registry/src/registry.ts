/**
 * @module registry
 * The plugin registry: definitions in, validated instances out. Every built-in plugin and
 * every third-party one goes through `register`, and every use through `create`, so the
 * checks (shape, API version, duplicates, options) live in one place and every error names
 * the plugin it is about.
 */
import { isUserError } from '@carve/engine';
import { definitionIssues, UncheckedDefinition, uncheckedId } from './definition-check';
import { PluginCreateError, PluginError } from './errors';
import { show } from './format';
import { parseOptions } from './options';
import { PLUGIN_KINDS, PluginDefinition, pluginId, PluginKind } from './plugin';

/** How `list` shows a plugin. */
export interface PluginListing {
  readonly kind: PluginKind;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Where it came from, as given to `register` (a package name), if anywhere. */
  readonly source?: string;
}

export interface RegisterOptions {
  /**
   * Where the definitions come from (a package name). A duplicate's message names both
   * sources, which is how a user finds the two packages that provide one plugin.
   */
  readonly source?: string;
}

interface Entry {
  readonly definition: PluginDefinition;
  readonly source?: string;
}

/**
 * Holds plugin definitions by kind and name. Register definitions once at start-up (built-ins
 * from each library, then third-party packages through `loadPluginPackages`), then `create`
 * instances by the names a run spec gives.
 */
export class PluginRegistry {
  private readonly byKind = new Map<PluginKind, Map<string, Entry>>();

  /**
   * Adds one definition or a list of them, all or none: every problem of every definition
   * (shape, API version, a kind/name already taken) is collected into one PluginError with
   * code 'invalid_plugin_definition', and nothing is registered if there is any.
   */
  register(definitions: PluginDefinition | readonly PluginDefinition[], options: RegisterOptions = {}): void {
    const list: readonly unknown[] = Array.isArray(definitions) ? definitions : [definitions];
    const accepted: Entry[] = [];
    const lines: string[] = [];
    const issues: string[] = [];
    list.forEach((candidate, i) => {
      const isObject = typeof candidate === 'object' && candidate !== null;
      const def = (isObject ? candidate : {}) as UncheckedDefinition;
      const own = isObject
        ? [...definitionIssues(def), ...this.duplicateIssues(def, accepted, options.source)]
        : [`must be an object (got ${show(candidate)})`];
      if (own.length === 0) {
        accepted.push({ definition: def as PluginDefinition, source: options.source });
        return;
      }
      const label = isObject ? uncheckedId(def) : `definition #${i + 1}`;
      lines.push(`cannot register plugin ${label}: ${own.join('; ')}`);
      issues.push(...own.map((issue) => `${label}: ${issue}`));
    });
    if (lines.length > 0) throw new PluginError(lines.join('\n'), 'invalid_plugin_definition', issues);
    for (const entry of accepted) {
      const { kind, name } = entry.definition;
      if (!this.byKind.has(kind)) this.byKind.set(kind, new Map());
      this.byKind.get(kind)?.set(name, entry);
    }
  }

  /**
   * The definition registered as `kind`/`name`. An unknown name throws a PluginError
   * ('unknown_plugin') that lists the names registered for that kind.
   */
  get(kind: PluginKind, name: string): PluginDefinition {
    if (!PLUGIN_KINDS.includes(kind)) {
      throw new PluginError(`unknown plugin kind ${show(kind)} (kinds: ${PLUGIN_KINDS.join(', ')})`, 'unknown_plugin');
    }
    const entry = this.byKind.get(kind)?.get(name);
    if (entry) return entry.definition;
    const names = [...(this.byKind.get(kind)?.keys() ?? [])].sort();
    const known = names.length > 0 ? `${kind} plugins: ${names.join(', ')}` : `no ${kind} plugins are registered`;
    throw new PluginError(`unknown ${kind} plugin ${show(name)} (${known})`, 'unknown_plugin');
  }

  /**
   * Parses `rawOptions` (absent: all defaults) with the plugin's schema and calls its `create`.
   * Invalid options throw one PluginError ('invalid_plugin_options') with a line per problem,
   * each starting with the option's path; `create` is not called then. What `create` throws
   * (or its promise rejects with) comes back naming the plugin, with the original as `cause`:
   * a PluginError ('plugin_create_failed') when it was a UserError, a PluginCreateError otherwise.
   * `Instance` is the caller's claim about the kind's instance type; it is not checked.
   */
  create<Instance = unknown>(kind: PluginKind, name: string, rawOptions: unknown, context: unknown): Instance {
    const def = this.get(kind, name);
    const parsed = parseOptions(def.options, rawOptions);
    if (!parsed.ok) {
      throw new PluginError(`${kind} '${name}' options: ${parsed.issues.join('; ')}`, 'invalid_plugin_options', parsed.issues);
    }
    let instance: unknown;
    try {
      instance = def.create(parsed.options, context);
    } catch (e) {
      throw createFailure(def, e);
    }
    if (isThenable(instance)) {
      return instance.then(undefined, (e: unknown) => {
        throw createFailure(def, e);
      }) as Instance;
    }
    return instance as Instance;
  }

  /** Every registered plugin, or those of one kind, in pipeline order of kinds, then by name. */
  list(kind?: PluginKind): PluginListing[] {
    const kinds = kind === undefined ? PLUGIN_KINDS : [kind];
    return kinds.flatMap((k) =>
      [...(this.byKind.get(k)?.values() ?? [])]
        .map(({ definition: d, source }) => ({ kind: d.kind, name: d.name, version: d.version, description: d.description, source }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  }

  /** A kind/name taken already, in the registry or earlier in the same batch, naming both versions. */
  private duplicateIssues(def: UncheckedDefinition, batch: readonly Entry[], source: string | undefined): string[] {
    const { kind, name } = def;
    const taken =
      this.byKind.get(kind as PluginKind)?.get(name as string) ??
      batch.find((e) => e.definition.kind === kind && e.definition.name === name);
    if (!taken) return [];
    const from = (s: string | undefined) => (s ? ` from ${s}` : '');
    return [
      `${String(kind)}/${String(name)} is already registered (version ${taken.definition.version}${from(taken.source)}); ` +
        `this definition is version ${String(def.version)}${from(source)}; ` +
        `a kind/name is registered once: rename one plugin or load only one package that provides it`,
    ];
  }
}

/** `create` failed: say which plugin, keep what it threw as the cause. */
function createFailure(def: PluginDefinition, error: unknown): Error {
  const id = pluginId(def);
  const reason = error instanceof Error ? error.message : String(error);
  if (isUserError(error)) {
    return new PluginError(`${id}: ${reason}`, 'plugin_create_failed', error.issues.map((i) => `${id}: ${i}`), error);
  }
  return new PluginCreateError(`${id} failed in create: ${reason}`, id, error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
