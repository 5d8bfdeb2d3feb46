/**
 * @module definition-check
 * The shape checks `register` runs on a definition before accepting it. Definitions can come
 * from third-party JavaScript, so nothing here trusts the TypeScript types: every field is
 * checked at run time, and every problem is collected so an author fixes them in one pass.
 */
import { show } from './format';
import { PLUGIN_API_VERSION, PLUGIN_KINDS, PluginDefinition } from './plugin';

/** Lowercase-kebab: what a run spec writes, so no case or spelling variants of one name. */
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Semantic Versioning 2.0.0, the regular expression suggested at semver.org. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A definition whose shape has not been checked yet. */
export type UncheckedDefinition = Partial<Record<keyof PluginDefinition, unknown>>;

/** `kind/name@version` of a definition that may be malformed, for messages about it. */
export function uncheckedId(def: UncheckedDefinition): string {
  return `${String(def.kind)}/${String(def.name)}@${String(def.version)}`;
}

/** Every problem of one definition's own fields (duplicates are the registry's to check). */
export function definitionIssues(def: UncheckedDefinition): string[] {
  const issues: string[] = [];
  if (!(PLUGIN_KINDS as readonly unknown[]).includes(def.kind)) {
    issues.push(`unknown kind ${show(def.kind)} (kinds: ${PLUGIN_KINDS.join(', ')})`);
  }
  if (typeof def.name !== 'string' || !KEBAB.test(def.name)) {
    issues.push(`name ${show(def.name)} must be lowercase-kebab, like 'calibrated-grid'`);
  }
  if (typeof def.version !== 'string' || !SEMVER.test(def.version)) {
    issues.push(`version ${show(def.version)} must be a semver version, like '1.0.0'`);
  }
  if (def.apiVersion !== PLUGIN_API_VERSION) {
    issues.push(
      `written for plugin API version ${show(def.apiVersion)}, but this registry speaks version ${PLUGIN_API_VERSION}; ` +
        `use a release of the plugin built for API version ${PLUGIN_API_VERSION}`,
    );
  }
  if (typeof def.description !== 'string' || def.description.trim() === '') {
    issues.push(`description must be a non-empty string (got ${show(def.description)})`);
  }
  if (typeof (def.options as { safeParse?: unknown } | undefined)?.safeParse !== 'function') {
    issues.push(`options must be a zod schema, like z.object({ bins: z.number().default(21) }) (got ${show(def.options)})`);
  }
  if (typeof def.create !== 'function') {
    issues.push(`create must be a function (options, context) => instance (got ${show(def.create)})`);
  }
  return issues;
}
