/**
 * @module @carve/spec
 * The run spec: everything a compression run needs, as one JSON or YAML document checked by
 * one zod schema, and its content hash. It loads nothing but zod and yaml, so the cloud
 * trigger validates requests with the very schema `carve compress` uses.
 */
export { canonicalJson, loadRunSpec, MAX_SPEC_DEPTH, nestedTooDeep, parseRunSpec, parseRunSpecText, runSpecSchema, SpecError, specFormatOf, specHash } from './spec';
export type { RunSpec, SpecFormat } from './spec';
