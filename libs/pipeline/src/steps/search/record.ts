/**
 * @module steps/search/record
 * The files of a search folder: search.json (its settings and trial log, rewritten after
 * every trial, so a resume replays it), and at the end trials.json and front.json. A
 * resume must be the same search, so it compares the recorded settings with the given ones.
 */
import * as fs from 'node:fs';
import { SubNetwork } from '@carve/model';
import { Constraint, SearchState } from '@carve/optimizer';
import { SearchStepError } from './errors';

export const SEARCH_JSON = 'search.json';
export const TRIALS_JSON = 'trials.json';
export const FRONT_JSON = 'front.json';

/** The settings that decide which trials a search makes (plus threads, which does not). */
export interface SearchStepSettings {
  strategy: string;
  strategyOptions?: unknown;
  objectives: string[];
  /** Options per objective name; objectives without options are absent. */
  objectiveOptions: Record<string, unknown>;
  constraints: Constraint[];
  budget: number;
  seed: number;
  reference?: number[];
  anchors: boolean;
  threads: number;
}

/** What search.json holds. `settings` are the step's own and the caller's inputs (paths, space). */
export interface SearchRecord<Settings extends SearchStepSettings = SearchStepSettings> {
  format: 1;
  settings: Settings;
  versions: Record<string, string>;
  state: SearchState<SubNetwork>;
}

/** Settings a resumed search may change: they do not change which trials it makes. */
export const SEARCH_RESUME_MAY_CHANGE: readonly string[] = ['threads'];

/**
 * The search.json at `file`, or undefined when there is none. One that cannot be read is
 * a SearchStepError 'invalid_search_record' whose message starts with `file`.
 */
export function readSearchRecord<Settings extends SearchStepSettings = SearchStepSettings>(file: string): SearchRecord<Settings> | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as SearchRecord<Settings>;
    if (record.format !== 1 || !record.settings || !record.state) throw new Error('not written by carve search');
    return record;
  } catch (e) {
    throw new SearchStepError(`${file}: ${(e as Error).message}`, 'invalid_search_record');
  }
}

/**
 * The names of the settings in `given` whose values differ from the recorded ones (in
 * `given`'s order); only keys present in `given` count, so a caller may pass just those a
 * user typed out.
 */
export function changedSearchSettings(recorded: object, given: object): string[] {
  const before = recorded as Record<string, unknown>;
  return Object.entries(given)
    .filter(([key, value]) => !SEARCH_RESUME_MAY_CHANGE.includes(key) && JSON.stringify(value) !== JSON.stringify(before[key]))
    .map(([key]) => key);
}

/** Why a search recorded in `file` cannot continue with other `changed` settings. */
export function changedSearchSettingsMessage(file: string, changed: readonly string[]): string {
  return `these change the search's settings (from ${file}): ${changed.join(', ')}; drop them, or start a new search in another folder`;
}
