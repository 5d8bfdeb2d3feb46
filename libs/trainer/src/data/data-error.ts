/**
 * @module data-error
 * The training data's user error, and a collector that gathers every problem of one stage
 * (options, files, records) before throwing once with all of them.
 */
import { UserError } from '@carve/engine';

/** What was wrong; an error with several issues takes its first one's code. */
export type DataErrorCode =
  | 'invalid_data_options' // seqLen, seed, validationFraction, ignoreIndex, batch size, template
  | 'data_file_missing' // no such file, or not a file
  | 'data_file_empty' // nothing but whitespace
  | 'invalid_data_record' // a JSONL line: not JSON, not an object, a field missing or not a string
  | 'data_too_short' // a split with fewer tokens than one sequence, or one document to split
  | 'invalid_data_state'; // a DataLoader state that is malformed or from other data

export class DataError extends UserError {
  override readonly name = 'DataError';
  constructor(message: string, code: DataErrorCode, issues?: readonly string[]) {
    super(message, code, issues);
  }
}

/** Messages shown in one error; the rest are counted (all stay in `issues`). */
const SHOWN = 10;

export class DataIssues {
  private readonly list: { code: DataErrorCode; message: string }[] = [];

  add(code: DataErrorCode, message: string): void {
    this.list.push({ code, message });
  }

  /** Throws one DataError holding every issue so far, coded by the first one. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const messages = this.list.map((i) => i.message);
    const more = messages.length > SHOWN ? `; and ${messages.length - SHOWN} more` : '';
    throw new DataError(`training data: ${messages.slice(0, SHOWN).join('; ')}${more}`, this.list[0].code, messages);
  }
}
