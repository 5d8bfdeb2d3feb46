/**
 * @module train/given-settings
 * The settings `carve train` is given: a JSON or YAML config file, then the command line
 * (which wins), each remembered with where it came from (`--lr` or `lr in cfg.json`) so that
 * the checks in @carve/pipeline name every bad field as the user wrote it.
 */
import * as fs from 'node:fs';
import { oneLine } from '@carve/errors';
import { TRAIN_SETTING_NAMES, TrainSettingName } from '@carve/pipeline';
import { parse as parseYaml } from 'yaml';

const NUMERIC: readonly TrainSettingName[] = [
  'loraRank', 'loraAlpha', 'loraDropout', 'steps', 'batchSize', 'seqLen', 'accumulation', 'lr', 'warmup', 'minLr', 'weightDecay', 'clip',
  'validationFraction', 'evalEvery', 'checkpointEvery', 'seed', 'threads', 'memoryBudgetMb',
];
const JSON_OPTIONS: readonly TrainSettingName[] = ['strategyOptions', 'samplerOptions', 'spaceOptions'];

/** `lr` → `--lr`, `loraRank` → `--lora-rank`: how the command names a setting. */
export const flag = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The settings given explicitly, each with where it came from, for messages. */
export interface GivenSettings {
  values: Record<string, unknown>;
  /** Setting name → `--lr` or `lr in cfg.json`. */
  where: Record<string, string>;
}

/**
 * Merges the config file (if any) and the options given on the command line (as commander
 * parsed them: strings), converting the command line's text to the schema's types. Problems
 * reading the file or parsing a JSON option go to `issues`.
 */
export function givenSettings(cli: Record<string, unknown>, configFile: string | undefined, issues: string[]): GivenSettings {
  const values: Record<string, unknown> = {};
  const where: Record<string, string> = {};
  if (configFile !== undefined) {
    const config = readConfig(configFile, issues);
    for (const [key, value] of Object.entries(config)) {
      values[key] = value;
      where[key] = `${key} in ${configFile}`;
    }
  }
  for (const name of TRAIN_SETTING_NAMES) {
    const text = cli[name];
    if (text === undefined) continue;
    where[name] = flag(name);
    if (NUMERIC.includes(name)) values[name] = numeric(text as string);
    else if (name === 'loraTargets') values[name] = (text as string).split(',').map((t) => t.trim());
    else if (JSON_OPTIONS.includes(name)) values[name] = jsonText(flag(name), text as string, issues);
    else values[name] = text;
  }
  return { values, where };
}

function readConfig(file: string, issues: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    issues.push(`--config ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return {};
  }
  // YAML for .yaml/.yml files (a superset of JSON, but JSON's messages are clearer for JSON).
  const value = /\.ya?ml$/i.test(file) ? yamlText(`--config ${file}`, text, issues) : jsonText(`--config ${file}`, text, issues);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push(`--config ${file}: expected an object of settings, like {"lr": 0.001} (JSON) or lr: 0.001 (YAML)`);
    return {};
  }
  return value as Record<string, unknown>;
}

function yamlText(where: string, text: string, issues: string[]): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    issues.push(`${where}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

function jsonText(where: string, text: string, issues: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    issues.push(`${where}: not valid JSON (${oneLine((e as Error).message)})`);
    return undefined;
  }
}

/** A number where the text is one; otherwise the text, for the schema to reject by name. */
function numeric(text: string): number | string {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}
