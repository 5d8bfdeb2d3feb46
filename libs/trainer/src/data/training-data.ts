/**
 * @module training-data
 * Documents to packed training sequences. The documents are split into train and validation
 * with a seed first, so no document is in both; each split's documents are then tokenized
 * (BOS first; EOS after an Alpaca response), concatenated in file order and cut into
 * non-overlapping sequences of seqLen + 1 tokens; the tail shorter than one is dropped.
 * A row's tokens are the first seqLen, its targets the last seqLen, with the targets that
 * are BOS or prompt tokens set to the ignore index: only the texts (and their EOS) are learned.
 */
import * as fs from 'node:fs';
import { Rng } from '@carve/engine';
import { Tokenizer } from '@carve/model';
import { DataIssues } from './data-error';
import { checkSource, DataFileRecord, DataSource, Document, readSource } from './sources';

export interface TrainingDataOptions {
  /** Tokens a row feeds the model; each packed sequence holds one more, as the last target. */
  readonly seqLen: number;
  /** Seeds the train/validation split (and, in DataLoader, the per-epoch shuffles). */
  readonly seed: number;
  /** Share of the documents held out for validation, in [0, 1). @default 0 */
  readonly validationFraction?: number;
  /** Target of the positions not learned; the loss must skip it. @default -100 */
  readonly ignoreIndex?: number;
}

/** The packed rows of one split, row-major: row r is [r·T, (r + 1)·T). */
export interface PackedSplit {
  readonly rows: number;
  readonly tokens: Int32Array; // [rows, T]
  readonly targets: Int32Array; // [rows, T]
}

export interface SplitRecord {
  documents: number;
  /** Tokens of the split's documents, including the dropped tail. */
  tokens: number;
  sequences: number;
}

/** What the data was made from, to record beside a run (and check on resume). */
export interface TrainingDataRecord {
  files: DataFileRecord[];
  seqLen: number;
  seed: number;
  validationFraction: number;
  ignoreIndex: number;
  train: SplitRecord;
  validation: SplitRecord;
}

export interface TrainingData {
  readonly seqLen: number;
  readonly seed: number;
  readonly train: PackedSplit;
  readonly validation: PackedSplit;
  readonly record: TrainingDataRecord;
}

/** Reads, splits, tokenizes and packs `sources`; every problem of a stage is reported at once. */
export function buildTrainingData(tokenizer: Tokenizer, sources: readonly DataSource[], options: TrainingDataOptions): TrainingData {
  const { seqLen, seed } = options;
  const fraction = options.validationFraction ?? 0;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const issues = new DataIssues();
  if (sources.length === 0) issues.add('invalid_data_options', 'no data sources given');
  if (!Number.isInteger(seqLen) || seqLen < 1) issues.add('invalid_data_options', `seqLen must be a positive integer, got ${seqLen}`);
  if (!Number.isInteger(seed)) issues.add('invalid_data_options', `seed must be an integer, got ${seed}`);
  if (!(fraction >= 0 && fraction < 1)) issues.add('invalid_data_options', `validationFraction must be in [0, 1), got ${fraction}`);
  if (!Number.isInteger(ignoreIndex)) issues.add('invalid_data_options', `ignoreIndex must be an integer, got ${ignoreIndex}`);
  for (const s of sources) {
    checkSource(s, issues);
    if (!fs.existsSync(s.path)) issues.add('data_file_missing', `${s.path}: no such file`);
    else if (!fs.statSync(s.path).isFile()) issues.add('data_file_missing', `${s.path}: not a file`);
  }
  issues.throwIfAny();

  const documents: Document[] = [];
  const files: DataFileRecord[] = [];
  for (const s of sources) {
    const read = readSource(s, issues);
    documents.push(...read.documents);
    files.push(read.file);
  }
  issues.throwIfAny();

  const paths = sources.map((s) => s.path).join(', ');
  const n = documents.length;
  let nVal = 0;
  if (fraction > 0) {
    if (n < 2) issues.add('data_too_short', `${paths}: ${plural(n, 'document')} cannot be split with validationFraction ${fraction}; give more documents (a text source can cut a file with 'separator') or set validationFraction to 0`);
    nVal = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  }
  issues.throwIfAny();
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const byFileOrder = (a: number, b: number) => a - b;
  const valDocs = order.slice(0, nVal).sort(byFileOrder).map((i) => documents[i]);
  const trainDocs = order.slice(nVal).sort(byFileOrder).map((i) => documents[i]);

  const train = pack(tokenizer, trainDocs, seqLen, ignoreIndex);
  const validation = pack(tokenizer, valDocs, seqLen, ignoreIndex);
  const short = (name: string, split: SplitRecord, advice: string) =>
    issues.add('data_too_short', `${paths}: the ${name} split has ${split.tokens} tokens from ${plural(split.documents, 'document')}, fewer than one sequence of ${seqLen} + 1; ${advice}`);
  if (train.record.sequences === 0) short('train', train.record, 'use a shorter seqLen or more data');
  if (nVal > 0 && validation.record.sequences === 0) short('validation', validation.record, 'use a shorter seqLen or a larger validationFraction');
  issues.throwIfAny();

  const record: TrainingDataRecord = { files, seqLen, seed, validationFraction: fraction, ignoreIndex, train: train.record, validation: validation.record };
  return { seqLen, seed, train: train.split, validation: validation.split, record };
}

/** One document's ids, and whether each is learned when it is a target. */
function tokenize(tokenizer: Tokenizer, doc: Document): { ids: number[]; learned: boolean[] } {
  if (doc.prompt === '') {
    const ids = tokenizer.encode(doc.text, { bos: true, eos: doc.eos });
    const hasBos = tokenizer.bosId !== undefined && ids[0] === tokenizer.bosId;
    return { ids, learned: ids.map((_, i) => !(hasBos && i === 0)) };
  }
  const prompt = tokenizer.encode(doc.prompt, { bos: true, eos: false });
  const text = tokenizer.encode(doc.text, { bos: false, eos: doc.eos });
  return { ids: [...prompt, ...text], learned: [...prompt.map(() => false), ...text.map(() => true)] };
}

function pack(tokenizer: Tokenizer, documents: readonly Document[], seqLen: number, ignoreIndex: number): { split: PackedSplit; record: SplitRecord } {
  const ids: number[] = [];
  const learned: boolean[] = [];
  for (const doc of documents) {
    const t = tokenize(tokenizer, doc);
    for (let i = 0; i < t.ids.length; i++) {
      ids.push(t.ids[i]);
      learned.push(t.learned[i]);
    }
  }
  const span = seqLen + 1;
  const rows = Math.floor(ids.length / span);
  const tokens = new Int32Array(rows * seqLen); // [rows, T]
  const targets = new Int32Array(rows * seqLen); // [rows, T]
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < seqLen; t++) {
      const at = r * span + t;
      tokens[r * seqLen + t] = ids[at];
      targets[r * seqLen + t] = learned[at + 1] ? ids[at + 1] : ignoreIndex;
    }
  }
  return { split: { rows, tokens, targets }, record: { documents: documents.length, tokens: ids.length, sequences: rows } };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
