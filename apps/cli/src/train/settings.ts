/**
 * @module train/settings
 * The settings of `carve train`: one zod schema for every hyperparameter, filled from a JSON
 * config file and then the command line (which wins), checked all at once so that every bad
 * field is reported in one line, each named as the user wrote it (`--lr` or `lr in cfg.json`).
 * A resumed run takes its settings from run.json, and refuses any that the command changes.
 */
import * as fs from 'node:fs';
import { LORA_TARGETS } from '@carve/model';
import { PluginKind, PluginRegistry } from '@carve/registry';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';

/** Sources the data can be read as; without --format, a .jsonl file is JSONL and any other text. */
export const DATA_FORMATS = ['text', 'jsonl', 'alpaca'] as const;

const int = (min: number) => z.number().int().min(min);
const options = z.record(z.string(), z.unknown()).default({});

/**
 * Every setting, by its name in a config file (the option's camelCase). Defaults are nanoGPT's
 * and LitGPT's where they apply; `seqLen`, `warmup` and `minLr` default from the model and the
 * other settings (see `resolveDefaults`).
 */
export const settingsSchema = z.strictObject({
  // What to train, on what.
  checkpoint: z.string().min(1),
  tokenizer: z.string().min(1),
  data: z.array(z.string().min(1)).min(1),
  format: z.enum(DATA_FORMATS).optional(),
  /** Cuts text files into documents (so a validation split is possible). */
  separator: z.string().min(1).optional(),
  // The super-network: strategy, sampler, space (plugins, checked against the registry).
  strategy: z.string().default('sandwich-kd'),
  strategyOptions: options,
  sampler: z.string().default('calibrated'),
  samplerOptions: options,
  space: z.string().default('joint'),
  spaceOptions: options,
  importance: z.string().min(1).optional(),
  // What trains: LoRA adapters (LitGPT's usual rank 8, alpha 16) or, with `full`, every weight.
  full: z.boolean().default(false),
  loraRank: int(1).default(8),
  loraAlpha: z.number().positive().default(16),
  loraDropout: z.number().min(0).lt(1).default(0),
  loraTargets: z.array(z.enum(LORA_TARGETS as readonly ['q', 'k', 'v', 'o', 'mlp', 'head'])).min(1).default([...LORA_TARGETS]),
  // The loop.
  steps: int(1).default(1000),
  batchSize: int(1).default(8),
  seqLen: int(1).optional(),
  /** Micro-batches per optimizer step: the effective batch is batchSize × accumulation. */
  accumulation: int(1).default(1),
  // AdamW on warm-up + cosine; clip 1 as nanoGPT (0: no clipping).
  lr: z.number().positive().default(3e-4),
  warmup: int(0).optional(),
  minLr: z.number().min(0).optional(),
  weightDecay: z.number().min(0).default(0),
  clip: z.number().min(0).default(1),
  // Validation, checkpoints, randomness.
  validationFraction: z.number().min(0).lt(1).default(0.05),
  evalEvery: int(1).default(100),
  checkpointEvery: int(1).default(100),
  seed: int(0).default(0),
  /** ONNX Runtime intra-op threads: how fast, not what; a resumed run may change it. */
  threads: int(1).default(1),
});

export type TrainSettings = z.output<typeof settingsSchema>;
export type SettingName = keyof TrainSettings;
export const SETTING_NAMES = Object.keys(settingsSchema.shape) as SettingName[];
/** Settings that change how fast a run goes but not its result. */
const RUNTIME_SETTINGS: readonly SettingName[] = ['threads'];
const NUMERIC: readonly SettingName[] = [
  'loraRank', 'loraAlpha', 'loraDropout', 'steps', 'batchSize', 'seqLen', 'accumulation', 'lr', 'warmup', 'minLr', 'weightDecay', 'clip',
  'validationFraction', 'evalEvery', 'checkpointEvery', 'seed', 'threads',
];
const JSON_OPTIONS: readonly SettingName[] = ['strategyOptions', 'samplerOptions', 'spaceOptions'];
const LORA: readonly SettingName[] = ['loraRank', 'loraAlpha', 'loraDropout', 'loraTargets'];

/** `lr` → `--lr`, `loraRank` → `--lora-rank`. */
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
  for (const name of SETTING_NAMES) {
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

/**
 * Validates `input` (defaults filled in) and checks the plugin names and options against
 * `registry`. Every problem goes to `issues`, named by `where`; returns the settings when
 * there were none.
 */
export function checkSettings(input: Record<string, unknown>, where: Record<string, string>, registry: PluginRegistry, issues: string[]): TrainSettings | undefined {
  const name = (path: readonly PropertyKey[]) => {
    const key = String(path[0]);
    const rest = path.slice(1).map(String).join('.');
    return `${where[key] ?? key}${rest ? `[${rest}]` : ''}`;
  };
  const parsed = settingsSchema.safeParse(input);
  const before = issues.length;
  for (const issue of parsed.error?.issues ?? []) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push(`${where[key] ?? key}: unknown setting (settings: ${SETTING_NAMES.join(', ')})`);
    } else if (issue.path.length === 0) {
      issues.push(issue.message);
    } else {
      issues.push(`${name(issue.path)}: ${describe(issue, valueAt(input, issue.path))}`);
    }
  }
  if (!parsed.success) return undefined;
  const s = parsed.data;
  if (s.full && LORA.some((k) => where[k] !== undefined)) issues.push(`${LORA.filter((k) => where[k] !== undefined).map((k) => where[k]).join(', ')}: LoRA settings with --full; give --full or LoRA settings, not both`);
  if (s.separator !== undefined && s.format !== undefined && s.format !== 'text') issues.push(`${where.separator}: only text files are cut at a separator, and ${where.format} is ${s.format}`);
  if (s.warmup !== undefined && s.warmup > s.steps) issues.push(`${where.warmup}: ${s.warmup} warm-up steps, more than the ${s.steps} steps of the run`);
  if (s.minLr !== undefined && s.minLr > s.lr) issues.push(`${where.minLr}: ${s.minLr} is above the peak learning rate ${s.lr}`);
  pluginIssues(registry, 'training-strategy', s.strategy, s.strategyOptions, where.strategy ?? 'strategy', issues);
  pluginIssues(registry, 'sampler', s.sampler, s.samplerOptions, where.sampler ?? 'sampler', issues);
  pluginIssues(registry, 'search-space', s.space, s.spaceOptions, where.space ?? 'space', issues);
  if (s.sampler === 'calibrated' && s.samplerOptions.rank === 'score') issues.push(`${where.samplerOptions}: the calibrated sampler ranks by weight magnitude in training; drop rank 'score'`);
  if (GRID_SAMPLERS.includes(s.sampler) && s.samplerOptions.draw !== undefined) issues.push(`${where.samplerOptions}: training always draws from the ${s.sampler} grid; drop 'draw'`);
  return issues.length > before ? undefined : s;
}

/** Samplers that list fixed points: training draws each step's networks from them. */
export const GRID_SAMPLERS: readonly string[] = ['grid', 'param-grid', 'calibrated'];

/** The settings with the model-dependent defaults filled in. */
export function resolveDefaults(s: TrainSettings, blockSize: number): TrainSettings & { seqLen: number; warmup: number; minLr: number } {
  return {
    ...s,
    seqLen: s.seqLen ?? Math.min(256, blockSize),
    warmup: s.warmup ?? Math.min(100, Math.floor(s.steps / 10)), // a tenth of the run, at most 100 steps
    minLr: s.minLr ?? s.lr / 10, // nanoGPT: min_lr about lr / 10, per Chinchilla
  };
}

/**
 * The settings a resumed run would change: each explicitly given setting (except the
 * runtime ones) whose value differs from the one in run.json.
 */
export function changedSettings(stored: Record<string, unknown>, given: GivenSettings, merged: TrainSettings): string[] {
  return Object.keys(given.values)
    .filter((k) => !RUNTIME_SETTINGS.includes(k as SettingName) && JSON.stringify(merged[k as SettingName]) !== JSON.stringify(stored[k]))
    .map((k) => `${given.where[k]} ${JSON.stringify(merged[k as SettingName])} (the run has ${JSON.stringify(stored[k])})`);
}

function pluginIssues(registry: PluginRegistry, kind: PluginKind, name: string, raw: Record<string, unknown>, where: string, issues: string[]): void {
  let schema: z.ZodType;
  try {
    schema = registry.get(kind, name).options as z.ZodType;
  } catch (e) {
    issues.push(`${where} ${name}: ${(e as Error).message}`);
    return;
  }
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  const known = shape ? Object.keys(shape) : undefined;
  for (const key of Object.keys(raw)) if (known && !known.includes(key)) issues.push(`${kind} '${name}' options: ${key}: unknown option (options: ${known.join(', ') || 'none'})`);
  for (const issue of schema.safeParse(raw).error?.issues ?? []) {
    if (issue.code === 'unrecognized_keys') continue;
    issues.push(`${kind} '${name}' options: ${issue.path.map(String).join('.')}: ${describe(issue, valueAt(raw, issue.path))}`);
  }
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
    issues.push(`${where}: not valid JSON (${(e as Error).message})`);
    return undefined;
  }
}

/** A number where the text is one; otherwise the text, for the schema to reject by name. */
function numeric(text: string): number | string {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** "must be > 0 (got -1)" from a zod issue. */
function describe(issue: z.core.$ZodIssue, got: unknown): string {
  const shown = JSON.stringify(got) ?? String(got);
  switch (issue.code) {
    case 'invalid_type':
      return got === undefined ? `required (expected ${issue.expected})` : `expected ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`} (got ${shown})`;
    case 'too_small':
    case 'too_big': {
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const limit = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'string') return `must have ${op === '>=' ? 'at least' : 'at most'} ${limit} ${issue.origin === 'array' ? 'items' : 'characters'} (got ${shown})`;
      return `must be ${op} ${limit} (got ${shown})`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${shown})`;
    default:
      return `${issue.message} (got ${shown})`;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}
