/**
 * @module steps/search/errors
 * The search step's user errors: a search.json it cannot read, one recorded with other
 * settings, a trained file that does not fit the model.
 */
import { UserError } from '@carve/engine';

/**
 * Codes: 'invalid_search_record' (search.json unreadable), 'resume_mismatch' (recorded
 * with other settings), 'invalid_trained' (the trained file does not fit the model).
 * Messages name the file, not an option: a caller adds its own option's name.
 */
export class SearchStepError extends UserError {
  override readonly name = 'SearchStepError';
}
