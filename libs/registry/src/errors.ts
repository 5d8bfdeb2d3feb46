/**
 * @module errors
 * The registry's errors. Whatever a user or a plugin author got wrong (a definition, a name,
 * an option, a package) is a PluginError: one message with every problem, printed by the CLI
 * without a stack. A plugin that crashes is a bug in the plugin, not a user error, so it keeps
 * its stack (PluginCreateError) while the message still names the plugin.
 */
import { UserError } from '@carve/engine';

/** What went wrong, for callers that branch on it; the message says it for people. */
export type PluginErrorCode =
  /** `register`: a definition is malformed, of another API version, or a duplicate. */
  | 'invalid_plugin_definition'
  /** `get`/`create`: no plugin of that kind and name (or no such kind). */
  | 'unknown_plugin'
  /** `create`: the options do not match the plugin's schema. */
  | 'invalid_plugin_options'
  /** `create`: the plugin rejected its options or context with a user error of its own. */
  | 'plugin_create_failed'
  /** `loadPluginPackages`: a package is missing, not a plugin package, or its plugins are wrong. */
  | 'invalid_plugin_package'
  /** `runPluginContract`: a definition does not meet the plugin contract. */
  | 'plugin_contract_failed';

/** A user's or plugin author's mistake, found by the registry; `issues` lists each problem. */
export class PluginError extends UserError {
  override readonly name = 'PluginError';
  declare readonly code: PluginErrorCode;
  constructor(message: string, code: PluginErrorCode, issues: readonly string[] = [message], cause?: unknown) {
    super(message, code, issues);
    if (cause !== undefined) this.cause = cause;
  }
}

/** A plugin's `create` threw something other than a user error: a bug, reported with the plugin's id. */
export class PluginCreateError extends Error {
  override readonly name = 'PluginCreateError';
  constructor(
    message: string,
    /** `kind/name@version` of the plugin that failed. */
    readonly plugin: string,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}
