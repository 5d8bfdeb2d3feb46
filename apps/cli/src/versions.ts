/**
 * @module versions
 * The versions of carve's packages, recorded with every result a command writes (the pipeline's reader).
 */
export { packageVersions as versions } from '@carve/pipeline';
