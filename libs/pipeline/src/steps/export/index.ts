/**
 * @module steps/export
 * The export step: chosen sub-networks as standalone models, and which of a front to choose.
 */
export { EXPORT_FORMATS, exportedFile, exportModels, MODELS_FOLDER, MODELS_INDEX, writeModels } from './export-models';
export type { ExportedFile, ExportedModel, ExportFormat, ExportMember, ExportOptions, ModelsIndex } from './export-models';
export { compactJson, replaceFolderAtomically } from './folder';
export { writeHfTokenizer } from './hf-tokenizer';
export { kiloParams, pickFrontMembers } from './pick-front';
export type { FrontPoint } from './pick-front';
