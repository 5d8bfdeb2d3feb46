/**
 * @module compress/export-run
 * Exports searched sub-networks of a finished run after the fact (`carve export`): any
 * member of its front, or any trial, in the formats asked for, beside the run's own
 * models/ rather than in it, so the run's files and their checksums stay as they were. It
 * holds the run folder's lock while it works (compress/run-lock): what it reads (the front,
 * the adapters, the sorted model) is replaced file by file by a compress redoing its stages,
 * so an export beside one could mix two searches' results, and the files it writes under
 * exports/ are the folder's, which a run published to S3 would upload half-written.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parseRunSpec } from '@carve/spec';
import { GgufType } from '@carve/model';
import { RUN_FILES } from '../report-data';
import { ExportFormat, kiloParams, ModelsIndex, writeModels } from '../steps/export';
import { TrialRecord } from '../steps/search';
import { CompressError, specModelFiles } from './context';
import { RunLockOptions, withRunLock } from './run-lock';
import { trainedSuperNetwork } from './stages';

export interface ExportRunOptions {
  /** Trial indices (as front.json and trials.json number them) to export. */
  members: readonly number[];
  formats: readonly ExportFormat[];
  /** @default 'f16' */
  ggufType?: GgufType;
  /** The folder to write (replaced whole once complete): a folder per member and index.json. */
  out: string;
  /** Told a line worth the user's attention (a stale lock of the run folder taken over). */
  onNote?: RunLockOptions['onNote'];
}

/**
 * Writes the trials `options.members` of the run in `folder` (a finished search: spec.json,
 * front.json, the trained adapters) as standalone models into `options.out`, each folder
 * named `t<index>-<params>k`. Throws a CompressError naming what is missing, a RunLockedError
 * while another process works in the folder.
 */
export async function exportRun(folder: string, options: ExportRunOptions): Promise<ModelsIndex> {
  if (!fs.existsSync(folder)) throw new CompressError(`${folder}: no such run folder`, [folder]);
  return withRunLock(folder, { onNote: options.onNote }, () => exportLocked(folder, options));
}

async function exportLocked(folder: string, options: ExportRunOptions): Promise<ModelsIndex> {
  const read = <T>(file: string): T => {
    const path = nodePath.join(folder, file);
    if (!fs.existsSync(path)) throw new CompressError(`${folder}: no ${file}; is this a run folder whose search finished?`, [file]);
    return JSON.parse(fs.readFileSync(path, 'utf8')) as T;
  };
  const spec = parseRunSpec(read(RUN_FILES.spec), nodePath.join(folder, RUN_FILES.spec));
  const front = read<{ members: TrialRecord[] }>(RUN_FILES.front).members;
  const all = [...front, ...(fs.existsSync(nodePath.join(folder, RUN_FILES.trials)) ? read<TrialRecord[]>(RUN_FILES.trials) : [])];
  const chosen = options.members.map((index) => {
    const record = all.find((t) => t.index === index);
    if (!record) throw new CompressError(`${folder}: no trial ${index}; the front's are ${front.map((m) => m.index).join(', ') || 'none'} (trials.json lists the rest)`, [String(index)]);
    return record;
  });
  const { checkpoint, tokenizer } = specModelFiles(spec);
  const { model, lora } = trainedSuperNetwork({ spec, folder, checkpoint });
  const members = chosen.map((t) => ({ name: `t${t.index}-${kiloParams(t.params)}k`, subNetwork: t.subNetwork, objectives: t.objectives }));
  return writeModels({ model, lora, tokenizer: tokenizer || undefined, members, formats: options.formats, ggufType: options.ggufType }, options.out);
}
