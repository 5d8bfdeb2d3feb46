/**
 * @module search/settings
 * The settings of `carve search`, as recorded in its search.json: what the command line
 * gives, checked all at once so every problem is reported in one line, and compared on
 * --resume so a resumed search is the same search.
 */
import * as fs from 'node:fs';
import { Constraint } from '@carve/optimizer';
import { SearchStepSettings } from '@carve/pipeline';
import { PluginRegistry } from '@carve/registry';
import { jsonOption } from '../model-space';

/** The search step's settings and where its model, space and text come from, as options name them. */
export interface SearchSettings extends SearchStepSettings, SearchInputSettings {}

/** The settings that name the search's inputs: recorded by the step as its `inputs`. */
export interface SearchInputSettings {
  checkpoint: string;
  tokenizer?: string;
  lora?: string;
  val?: string;
  space: string;
  spaceOptions?: unknown;
  importance?: string;
  layerOrder?: string;
  plugin: string[];
}

/** The keys of {@link SearchInputSettings}. */
export const INPUT_KEYS = ['checkpoint', 'tokenizer', 'lora', 'val', 'space', 'spaceOptions', 'importance', 'layerOrder', 'plugin'] as const;

/** The options a --resume may repeat without changing the search. */
export const SETTING_KEYS = [
  'checkpoint', 'tokenizer', 'lora', 'val', 'space', 'spaceOptions', 'importance', 'layerOrder', 'strategy', 'strategyOptions', 'objectives', 'objectiveOptions',
  'constraints', 'budget', 'seed', 'reference', 'anchors', 'threads', 'plugin',
] as const;

/** `latency<=5`, `params <= 2e5`, `val-loss>=0` → a constraint, or the problem with it. */
export function parseConstraint(text: string): Constraint | string {
  const m = /^\s*([\w.-]+)\s*(<=|>=)\s*(\S+)\s*$/.exec(text);
  const bound = m ? Number(m[3]) : NaN;
  if (!m || !Number.isFinite(bound)) return `--constraint ${text}: expected OBJECTIVE<=NUMBER or OBJECTIVE>=NUMBER, like latency<=5`;
  return m[2] === '<=' ? { objective: m[1], max: bound } : { objective: m[1], min: bound };
}

/** A comma-separated list of finite numbers, or the problem. */
export function parseNumbers(option: string, text: string): number[] | string {
  const values = text.split(',').map((x) => Number(x.trim()));
  if (text.trim() === '' || values.some((v) => !Number.isFinite(v))) return `--${option} ${text}: expected numbers separated by commas`;
  return values;
}

/** Every problem with the settings that can be seen before loading anything. */
export function settingsIssues(s: SearchSettings, registry: PluginRegistry): string[] {
  const issues: string[] = [];
  const known = (kind: 'optimizer' | 'objective' | 'search-space', name: string, option: string) => {
    const names = registry.list(kind).map((p) => p.name);
    if (!names.includes(name)) issues.push(`${option} ${name}: unknown ${kind === 'optimizer' ? 'strategy' : kind} (known: ${names.join(', ')})`);
  };
  if (s.checkpoint === undefined) issues.push('give the model: --checkpoint PATH');
  else if (!fs.existsSync(s.checkpoint)) issues.push(`--checkpoint ${s.checkpoint}: no such file or folder`);
  for (const [option, path] of [['--tokenizer', s.tokenizer], ['--lora', s.lora], ['--val', s.val]] as const) {
    if (path !== undefined && !fs.existsSync(path)) issues.push(`${option} ${path}: no such file`);
  }
  known('optimizer', s.strategy, '--strategy');
  known('search-space', s.space, '--space');
  if (s.objectives.length === 0) issues.push('--objectives: give at least one objective, like val-loss,latency');
  for (const name of s.objectives) known('objective', name, '--objectives');
  const repeated = s.objectives.filter((name, i) => s.objectives.indexOf(name) !== i);
  if (repeated.length) issues.push(`--objectives: ${[...new Set(repeated)].join(', ')} given more than once`);
  for (const name of Object.keys(s.objectiveOptions)) {
    if (!s.objectives.includes(name)) issues.push(`--objective-options: '${name}' is not among the objectives (${s.objectives.join(', ')})`);
  }
  for (const c of s.constraints) {
    if (!s.objectives.includes(c.objective)) issues.push(`--constraint on '${c.objective}': not an objective of this search (${s.objectives.join(', ')}); add it to --objectives`);
  }
  if (s.reference && s.reference.length !== s.objectives.length) {
    issues.push(`--reference: ${s.reference.length} values for ${s.objectives.length} objectives (${s.objectives.join(', ')})`);
  }
  const needsText = s.objectives.filter((name) => ['val-loss', 'perplexity', 'kl'].includes(name));
  if (needsText.length && (s.val === undefined || s.tokenizer === undefined)) {
    issues.push(`${needsText.join(', ')} need held-out text: give --val FILE and --tokenizer PATH`);
  }
  return issues;
}

/** A JSON option's value or the problem (pushed onto `issues`). */
export function jsonSetting(option: string, text: string | undefined, issues: string[]): unknown {
  try {
    return jsonOption(option, text);
  } catch (e) {
    issues.push((e as Error).message);
    return undefined;
  }
}
