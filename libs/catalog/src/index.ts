/**
 * @module @carve/catalog
 * The results catalog: compression runs as `runs/<id>/` folders (artifacts, then a manifest)
 * in a local folder or an S3 bucket, and the queries over them (list, show, compare fronts).
 */
export { Catalog, MANIFEST_FILE } from './catalog';
export type { PublishResult, RunDetails, RunSummary } from './catalog';
export type { CatalogBackend, CatalogBackendContext } from './backend';
export { catalogBackendPlugins, localBackendPlugin, s3BackendPlugin } from './plugins';
export { LocalBackend } from './local-backend';
export { RUN_LOCK_FILE } from './local-run-folder';
export { S3Backend } from './s3-backend';
export type { S3Settings } from './s3-backend';
export { runCatalogBackendContract } from './backend-contract';
export type { BackendContractOptions } from './backend-contract';
export { runFileSchema, runManifestSchema, runSummarySchema, stageSchema } from './manifest';
export type { RunFile, RunManifest, RunManifestInput, RunStage, RunStatus, RunSummaryFields } from './manifest';
export { FRONT_FILE, frontFileSchema } from './front';
export type { FrontFile, FrontObjective } from './front';
export type { ComparedFront, FrontComparison, FrontMember } from './compare';
export { checkRunId, newRunId, RUN_ID_PATTERN } from './run-id';
export { checkKey } from './keys';
export { CatalogError } from './errors';
export type { CatalogErrorCode } from './errors';
