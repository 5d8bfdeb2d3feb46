/**
 * @module steps/export/export-models
 * The export step: each chosen sub-network as a standalone model of its own (LoRA merged),
 * in Hugging Face form and optionally as ONNX, with an index that checksums every file.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { UserError } from '@carve/engine';
import { Checkpoint, configToHf, countParams, extractSubNetwork, loadTokenizer, LoraConfig, modelToOnnx, saveHfCheckpoint, saveOnnx, SubNetwork, subNetworkConfig, toHalfRope, Tokenizer, writeJsonAtomic } from '@carve/model';
import { fileSha256 } from '../../stages';
import { replaceFolderAtomically } from './folder';
import { writeHfTokenizer } from './hf-tokenizer';

/** The folder of the run that the exported models go in. */
export const MODELS_FOLDER = 'models';
export const MODELS_INDEX = 'index.json';

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
  /** Also write model.onnx (weights inside, token ids in, logits out). */
  onnx: boolean;
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

const NAME = /^[A-Za-z0-9][\w.-]*$/;

/**
 * Writes `folder`/models/<name>/ for each member: model.safetensors and config.json
 * (saveHfCheckpoint of extractSubNetwork with the adapters merged), tokenizer.json when a
 * tokenizer is given, model.onnx when `onnx`; then models/index.json listing each model's
 * files with bytes and sha256, parameters and sub-network. The whole models/ folder is
 * built beside its place and renamed in, replacing an earlier export only once complete.
 */
export async function exportModels(options: ExportOptions, folder: string): Promise<ModelsIndex> {
  const names = options.members.map((m) => m.name);
  const bad = names.filter((n, i) => !NAME.test(n) || names.indexOf(n) !== i);
  if (bad.length) throw new Error(`exportModels: member names must be distinct folder names (letters, digits, '.', '_', '-'): ${bad.join(', ')}`);
  const { model, lora } = options;
  checkHfForm(model, options.members);
  const tokenizer = typeof options.tokenizer === 'string' ? loadTokenizer(options.tokenizer, { vocabSize: model.config.vocabSize }) : options.tokenizer;
  const index: ModelsIndex = {
    source: { name: model.config.name, family: model.config.family, params: countParams(model.config) },
    lora: lora !== undefined,
    models: [],
  };
  await replaceFolderAtomically(nodePath.join(folder, MODELS_FOLDER), (temp) => {
    for (const member of options.members) {
      const dir = nodePath.join(temp, member.name);
      // One member at a time, so only one extracted copy of the weights is alive at once.
      const standalone = extractSubNetwork(model, member.subNetwork, { lora, name: member.name });
      const metadata = { 'carve.source': model.config.name, 'carve.subnetwork': JSON.stringify(member.subNetwork) };
      saveHfCheckpoint(standalone, dir, { metadata });
      if (tokenizer) writeHfTokenizer(tokenizer, dir);
      if (options.onnx) saveOnnx(nodePath.join(dir, 'model.onnx'), modelToOnnx(standalone, { name: member.name }));
      index.models.push({ name: member.name, params: countParams(standalone.config), subNetwork: member.subNetwork, objectives: member.objectives, files: describeFiles(dir) });
    }
    writeJsonAtomic(nodePath.join(temp, MODELS_INDEX), index);
  });
  return index;
}

/**
 * Fails before anything is written when a member has no Hugging Face form (layers of
 * different widths, say), naming each such member and why.
 */
function checkHfForm(model: Checkpoint, members: readonly ExportMember[]): void {
  const issues: string[] = [];
  for (const m of members) {
    try {
      configToHf(toHalfRope({ config: subNetworkConfig(model.config, m.subNetwork, m.name), weights: new Map() }).config);
    } catch (e) {
      issues.push(`${m.name}: ${(e as Error).message}`);
    }
  }
  if (issues.length) throw new UserError(`export: ${issues.join('; ')}`, 'invalid_argument', issues);
}

/** Bytes and sha256 of each file in `dir`, by name, sorted. */
function describeFiles(dir: string): Record<string, ExportedFile> {
  const names = fs.readdirSync(dir).sort();
  return Object.fromEntries(names.map((name) => [name, { bytes: fs.statSync(nodePath.join(dir, name)).size, sha256: fileSha256(nodePath.join(dir, name)) }]));
}
