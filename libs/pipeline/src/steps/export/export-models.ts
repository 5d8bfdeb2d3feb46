/**
 * @module steps/export/export-models
 * The export step: each chosen sub-network as a standalone model of its own (LoRA merged),
 * in Hugging Face form, and in the layouts other runtimes load (ONNX for transformers.js,
 * GGUF for llama.cpp), with an index that checksums every file.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { UserError } from '@carve/engine';
import { Checkpoint, configToHf, countParams, extractSubNetwork, GgufType, ggufIssues, loadTokenizer, LoraConfig, modelToOnnx, saveGguf, saveHfCheckpoint, saveOnnx, SubNetwork, subNetworkConfig, toHalfRope, Tokenizer, writeJsonAtomic } from '@carve/model';
import { fileSha256 } from '../../stages';
import { replaceFolderAtomically } from './folder';
import { writeHfTokenizer } from './hf-tokenizer';

/** The folder of the run that the exported models go in. */
export const MODELS_FOLDER = 'models';
export const MODELS_INDEX = 'index.json';

/**
 * What an exported model folder holds besides config.json and the tokenizer:
 * - 'hf': model.safetensors, which Python transformers and carve load;
 * - 'onnx': onnx/model.onnx in the layout of Optimum's decoder exports, which transformers.js loads;
 * - 'gguf': model-<type>.gguf, which llama.cpp loads (the llama family only).
 */
export const EXPORT_FORMATS = ['hf', 'onnx', 'gguf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where each format's weights go in a model folder. */
export function exportedFile(format: ExportFormat, ggufType: GgufType = 'f16'): string {
  return format === 'hf' ? 'model.safetensors' : format === 'onnx' ? 'onnx/model.onnx' : `model-${ggufType}.gguf`;
}

/** One model to export: a sub-network, the folder name it gets, and what the search measured. */
export interface ExportMember {
  /** The folder under models/: letters, digits, '.', '_' and '-'. */
  name: string;
  subNetwork: SubNetwork;
  objectives?: Record<string, number>;
}

export interface ExportOptions {
  /** The super-network the members are sub-networks of. */
  model: Checkpoint;
  /** Trained adapters, merged into each exported model. */
  lora?: { config: LoraConfig; adapters: ReadonlyMap<string, Float32Array> };
  /** Written beside each model as tokenizer.json: a loaded tokenizer, or a path loadTokenizer reads. */
  tokenizer?: string | Tokenizer;
  members: readonly ExportMember[];
  /** The formats to write (see EXPORT_FORMATS). @default ['hf', 'onnx'] */
  formats?: readonly ExportFormat[];
  /** Element type of the GGUF weights; norms stay f32 either way. @default 'f16' */
  ggufType?: GgufType;
}

/** A file of an exported model, as index.json records it. */
export interface ExportedFile {
  bytes: number;
  sha256: string;
}

/** One entry of models/index.json. */
export interface ExportedModel {
  name: string;
  /** Parameters of the standalone model, embeddings included. */
  params: number;
  subNetwork: SubNetwork;
  objectives?: Record<string, number>;
  /** Each file of models/<name>/, by its name there. */
  files: Record<string, ExportedFile>;
}

/** What models/index.json holds. */
export interface ModelsIndex {
  source: { name: string; family: string; params: number };
  lora: boolean;
  models: ExportedModel[];
}

/** A member's folder name under models/ (`t3`): letters, digits, '_', '.' and '-', starting with a letter or digit; never a path. */
export const MEMBER_NAME = /^[A-Za-z0-9][\w.-]*$/;

/**
 * Writes `folder`/models/<name>/ for each member (extractSubNetwork with the adapters
 * merged): config.json and generation_config.json, tokenizer.json when a tokenizer is
 * given, and each format's file (see ExportFormat); then models/index.json listing each
 * model's files with bytes and sha256, parameters and sub-network. The whole models/ folder
 * is built beside its place and renamed in, replacing an earlier export only once complete.
 */
export function exportModels(options: ExportOptions, folder: string): Promise<ModelsIndex> {
  return writeModels(options, nodePath.join(folder, MODELS_FOLDER));
}

/**
 * Writes the models of `options` into `target` (created or replaced whole, as exportModels
 * does for models/): a folder per member and index.json. `carve export` writes single
 * members this way outside the run's models/.
 */
export async function writeModels(options: ExportOptions, target: string): Promise<ModelsIndex> {
  const names = options.members.map((m) => m.name);
  const bad = names.filter((n, i) => !MEMBER_NAME.test(n) || names.indexOf(n) !== i);
  if (bad.length) throw new Error(`exportModels: member names must be distinct folder names (letters, digits, '.', '_', '-'): ${bad.join(', ')}`);
  const { model, lora } = options;
  const formats = options.formats ?? ['hf', 'onnx'];
  const ggufType = options.ggufType ?? 'f16';
  checkFormats(model, options.members, formats);
  const tokenizer = typeof options.tokenizer === 'string' ? loadTokenizer(options.tokenizer, { vocabSize: model.config.vocabSize }) : options.tokenizer;
  if (formats.includes('gguf') && !tokenizer) throw new UserError('export: the GGUF format needs the tokenizer (llama.cpp reads it from the file); give the run a tokenizer or leave gguf out', 'invalid_argument');
  const index: ModelsIndex = {
    source: { name: model.config.name, family: model.config.family, params: countParams(model.config) },
    lora: lora !== undefined,
    models: [],
  };
  await replaceFolderAtomically(target, (temp) => {
    for (const member of options.members) {
      const dir = nodePath.join(temp, member.name);
      // One member at a time, so only one extracted copy of the weights is alive at once.
      const standalone = extractSubNetwork(model, member.subNetwork, { lora, name: member.name });
      const metadata = { 'carve.source': model.config.name, 'carve.subnetwork': JSON.stringify(member.subNetwork) };
      saveHfCheckpoint(standalone, dir, { metadata, specialTokens: tokenizer && { bos: tokenizer.bosId, eos: tokenizer.eosId }, weights: formats.includes('hf') });
      if (tokenizer) writeHfTokenizer(tokenizer, dir);
      if (formats.includes('onnx')) {
        fs.mkdirSync(nodePath.join(dir, 'onnx'));
        saveOnnx(nodePath.join(dir, exportedFile('onnx')), modelToOnnx(standalone, { name: member.name, hfDecoder: true }));
      }
      if (formats.includes('gguf')) saveGguf(nodePath.join(dir, exportedFile('gguf', ggufType)), standalone, tokenizer!, { type: ggufType, metadata });
      index.models.push({ name: member.name, params: countParams(standalone.config), subNetwork: member.subNetwork, objectives: member.objectives, files: describeFiles(dir) });
    }
    writeJsonAtomic(nodePath.join(temp, MODELS_INDEX), index);
  });
  return index;
}

/**
 * Fails before anything is written when a format is unknown or a member has no form in a
 * format (layers of different widths have no Hugging Face config, GPT-2 no GGUF export
 * here), naming each such member and why.
 */
function checkFormats(model: Checkpoint, members: readonly ExportMember[], formats: readonly ExportFormat[]): void {
  const unknown = formats.filter((f) => !(EXPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length) throw new UserError(`export: unknown format ${unknown.map((f) => `'${f}'`).join(', ')} (known: ${EXPORT_FORMATS.join(', ')})`, 'invalid_argument');
  const issues: string[] = [];
  for (const m of members) {
    const config = toHalfRope({ config: subNetworkConfig(model.config, m.subNetwork, m.name), weights: new Map() }).config;
    try {
      configToHf(config); // every format writes config.json
    } catch (e) {
      issues.push(`${m.name}: ${(e as Error).message}`);
    }
    if (formats.includes('gguf')) issues.push(...ggufIssues(config).map((why) => `${m.name}: GGUF: ${why}`));
  }
  if (issues.length) throw new UserError(`export: ${issues.join('; ')}`, 'invalid_argument', issues);
}

/** Bytes and sha256 of each file under `dir` by its path there ('onnx/model.onnx'), sorted. */
function describeFiles(dir: string): Record<string, ExportedFile> {
  const names = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((name) => fs.statSync(nodePath.join(dir, name)).isFile()).sort();
  return Object.fromEntries(names.map((name) => [name.split(nodePath.sep).join('/'), { bytes: fs.statSync(nodePath.join(dir, name)).size, sha256: fileSha256(nodePath.join(dir, name)) }]));
}
