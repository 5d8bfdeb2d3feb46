/**
 * @module steps/train/errors
 * The user's mistakes that training finds once the model and data are loaded (a sequence
 * longer than the model's, a tokenizer too big, changed data on resume): one line each.
 */
import { UserError } from '@carve/engine';

/** A problem with the settings or files of a training run, found while setting it up. */
export class TrainError extends UserError {
  override readonly name = 'TrainError';
  constructor(message: string) {
    super(message, 'invalid_argument');
  }
}
