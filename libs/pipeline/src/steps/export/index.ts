/**
 * @module steps/export
 * The export step: chosen sub-networks as standalone models, and which of a front to choose.
 */
export { exportModels, MODELS_FOLDER, MODELS_INDEX } from './export-models';
export type { ExportedFile, ExportedModel, ExportMember, ExportOptions, ModelsIndex } from './export-models';
export { compactJson, replaceFolderAtomically } from './folder';
export { writeHfTokenizer } from './hf-tokenizer';
export { pickFrontMembers } from './pick-front';
export type { FrontPoint } from './pick-front';
