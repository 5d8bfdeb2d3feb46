/**
 * @module contract
 * The contract every plugin meets, as one function a plugin's own test calls (like Hono's
 * `runTest` for routers). It needs no test framework: it runs every check, collects every
 * failure, and throws once, so `it('meets the plugin contract', () => runPluginContract(...))`
 * works in jest, vitest or node:test. Kind libraries build their own contracts on top of it.
 */
import { PluginError } from './errors';
import { show } from './format';
import { parseOptions } from './options';
import { PluginDefinition, pluginId } from './plugin';
import { PluginRegistry } from './registry';

/** Options a plugin must reject, and the option the rejection must name. */
export interface InvalidOptionsCase {
  readonly options: unknown;
  /** The path of the offending option as errors write it: 'bins', 'layers[0].heads'. */
  readonly field: string;
}

export interface PluginContractCases<Context> {
  /** Options that must create an instance. @default [{}], the defaults alone */
  readonly validOptions?: readonly unknown[];
  /** Options the schema must reject, each naming its field. @default [] */
  readonly invalidOptions?: readonly InvalidOptionsCase[];
  /** What the pipeline would pass to `create`. */
  readonly context: Context;
}

export interface PluginContractResult<Options, Instance> {
  /** The options `{}` parses to. */
  readonly defaults: Options;
  /** The instance created from each of `validOptions`, in order, for the caller's own checks. */
  readonly instances: readonly Awaited<Instance>[];
}

/**
 * Checks that `definition` registers cleanly in a fresh registry, that `{}` parses (every
 * option has a default), that each of `validOptions` creates an instance (not null or
 * undefined; a promise is awaited), and that each of `invalidOptions` is rejected by the
 * schema with an issue naming its `field`, before `create` runs. Throws one PluginError
 * ('plugin_contract_failed') listing every failed check; returns the defaults and instances.
 */
export async function runPluginContract<Options, Instance, Context>(
  definition: PluginDefinition<Options, Instance, Context>,
  cases: PluginContractCases<Context>,
): Promise<PluginContractResult<Options, Instance>> {
  const { validOptions = [{}], invalidOptions = [], context } = cases;
  const registry = new PluginRegistry();
  try {
    registry.register(definition as PluginDefinition);
  } catch (e) {
    // Nothing else can be checked on a definition the registry refuses.
    throw contractFailure(`${String(definition?.kind)}/${String(definition?.name)}`, [`does not register: ${(e as Error).message}`]);
  }
  const { kind, name } = definition;
  const failures: string[] = [];

  const defaults = parseOptions(definition.options, {});
  if (!defaults.ok) failures.push(`the defaults do not parse; give every option a default (${defaults.issues.join('; ')})`);

  const instances: Awaited<Instance>[] = [];
  for (const [i, options] of validOptions.entries()) {
    const label = `validOptions[${i}] ${show(options)}`;
    try {
      const instance = await registry.create<Instance>(kind, name, options, context);
      if (instance == null) failures.push(`${label}: create returned ${String(instance)}; it must return the instance`);
      instances.push(instance);
    } catch (e) {
      failures.push(`${label} were refused: ${(e as Error).message}`);
    }
  }

  for (const [i, { options, field }] of invalidOptions.entries()) {
    const label = `invalidOptions[${i}] ${show(options)}`;
    try {
      await registry.create(kind, name, options, context);
      failures.push(`${label} were accepted; the schema must reject them naming '${field}'`);
    } catch (e) {
      if (!(e instanceof PluginError) || e.code !== 'invalid_plugin_options') {
        failures.push(`${label} passed the schema and failed in create (${(e as Error).message}); reject them in the schema`);
      } else if (!e.issues.some((issue) => namesField(issue, field))) {
        failures.push(`${label} were rejected, but no issue names '${field}': ${e.issues.join('; ')}`);
      }
    }
  }

  // A failed default parse is among the failures; testing `ok` too lets TypeScript see it.
  if (failures.length > 0 || !defaults.ok) throw contractFailure(pluginId(definition), failures);
  return { defaults: defaults.options, instances };
}

/** An issue names a field when it is about the field itself or something inside it. */
function namesField(issue: string, field: string): boolean {
  return [':', '.', '['].some((next) => issue.startsWith(field + next));
}

function contractFailure(plugin: string, failures: string[]): PluginError {
  return new PluginError(
    `${plugin} does not meet the plugin contract:\n${failures.map((f) => `- ${f}`).join('\n')}`,
    'plugin_contract_failed',
    failures,
  );
}
