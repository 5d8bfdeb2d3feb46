/**
 * @module calibration
 * A calibration set: text files (or JSONL with a text field) tokenized, concatenated and
 * cut into non-overlapping windows, a fixed number of them chosen with a seed. Its record
 * (files with sizes and hashes, lengths, seed) goes with every result that uses it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Rng, UserError } from '@carve/engine';
import { Tokenizer } from '@carve/model';

export interface CalibrationOptions {
  /** Tokens each sequence feeds the model (each window also holds the next token, as a target). */
  seqLen: number;
  /** Sequences to keep; fewer are available is an error. */
  samples: number;
  seed: number;
  /** For `.jsonl` files: the field holding the text. @default 'text' */
  textField?: string;
}

/** What a calibration set was made from, to record beside every result. */
export interface CalibrationRecord {
  files: { path: string; bytes: number; sha256: string }[];
  seqLen: number;
  samples: number;
  seed: number;
  /** Windows the files gave before sampling. */
  available: number;
  /** Indices of the chosen windows, in order. */
  windows: number[];
}

export interface CalibrationSet {
  /** Each of seqLen + 1 tokens: the model reads the first seqLen and predicts the last seqLen. */
  sequences: number[][];
  record: CalibrationRecord;
}

export class CalibrationError extends UserError {
  override readonly name = 'CalibrationError';
  constructor(message: string) {
    super(message, 'invalid_calibration');
  }
}

/** The documents of one file: the whole text, or one text per JSONL line. */
function documents(path: string, text: string, field: string): string[] {
  if (!path.endsWith('.jsonl')) return [text];
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new CalibrationError(`${path}:${i + 1}: not valid JSON`);
    }
    const value = (row as Record<string, unknown>)?.[field];
    if (typeof value !== 'string') throw new CalibrationError(`${path}:${i + 1}: no string field '${field}'`);
    return [value];
  });
}

/**
 * Builds the calibration set. Each document starts with BOS; the token stream of all files
 * is cut into windows of seqLen + 1 tokens, and `samples` windows are drawn with `seed`.
 */
export function buildCalibrationSet(tokenizer: Tokenizer, files: readonly string[], options: CalibrationOptions): CalibrationSet {
  const { seqLen, samples, seed } = options;
  const problems: string[] = [];
  if (files.length === 0) problems.push('no calibration files given');
  if (!Number.isInteger(seqLen) || seqLen < 1) problems.push(`sequence length must be a positive integer, got ${seqLen}`);
  if (!Number.isInteger(samples) || samples < 1) problems.push(`samples must be a positive integer, got ${samples}`);
  for (const f of files) if (!fs.existsSync(f)) problems.push(`${f}: no such file`);
  if (problems.length) throw new CalibrationError(`calibration: ${problems.join('; ')}`);

  const stream: number[] = [];
  const record: CalibrationRecord = { files: [], seqLen, samples, seed, available: 0, windows: [] };
  for (const path of files) {
    const bytes = fs.readFileSync(path);
    record.files.push({ path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    for (const doc of documents(path, bytes.toString('utf8'), options.textField ?? 'text')) {
      for (const id of tokenizer.encode(doc, { bos: true })) stream.push(id);
    }
  }
  const available = Math.floor(stream.length / (seqLen + 1));
  record.available = available;
  const give = files.length === 1 ? 'gives' : 'give';
  if (available < 1) throw new CalibrationError(`calibration: ${files.join(', ')} ${give} ${stream.length} tokens, fewer than one sequence of ${seqLen} + 1`);
  if (samples > available) throw new CalibrationError(`calibration: ${samples} samples asked, but ${files.join(', ')} ${give} only ${available} sequences of ${seqLen} + 1 tokens`);
  const chosen = new Rng(seed).shuffle(Array.from({ length: available }, (_, i) => i)).slice(0, samples).sort((a, b) => a - b);
  record.windows = chosen;
  const sequences = chosen.map((w) => stream.slice(w * (seqLen + 1), (w + 1) * (seqLen + 1)));
  return { sequences, record };
}
