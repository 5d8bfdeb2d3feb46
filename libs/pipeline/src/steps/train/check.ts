/**
 * @module steps/train/check
 * Checks training settings all at once, so that every bad field is reported in one line,
 * each named as the user wrote it (`where`: `--lr`, `lr in cfg.json`): the schema, the
 * settings that contradict each other, the plugins and their options against the registry,
 * and the files the settings name.
 */
import * as fs from 'node:fs';
import { PluginKind, PluginRegistry } from '@carve/registry';
import { z } from 'zod';
import { GRID_SAMPLERS, plainLabel, TRAIN_SETTING_NAMES, SettingLabel, TrainSettingName, trainSettingsSchema, TrainSettings } from './settings';

const LORA: readonly TrainSettingName[] = ['loraRank', 'loraAlpha', 'loraDropout', 'loraTargets'];

/**
 * Validates `input` (defaults filled in) and checks the plugin names and options against
 * `registry`. Every problem goes to `issues`, named by `where` (setting → how it was given;
 * settings not in it by their name), advice naming settings by `label`; returns the settings
 * when there were none.
 */
export function checkTrainSettings(input: Record<string, unknown>, where: Record<string, string>, registry: PluginRegistry, issues: string[], label: SettingLabel = plainLabel): TrainSettings | undefined {
  const name = (path: readonly PropertyKey[]) => {
    const key = String(path[0]);
    const rest = path.slice(1).map(String).join('.');
    return `${where[key] ?? key}${rest ? `[${rest}]` : ''}`;
  };
  const parsed = trainSettingsSchema.safeParse(input);
  const before = issues.length;
  for (const issue of parsed.error?.issues ?? []) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push(`${where[key] ?? key}: unknown setting (settings: ${TRAIN_SETTING_NAMES.join(', ')})`);
    } else if (issue.path.length === 0) {
      issues.push(issue.message);
    } else {
      issues.push(`${name(issue.path)}: ${describe(issue, valueAt(input, issue.path))}`);
    }
  }
  if (!parsed.success) return undefined;
  const s = parsed.data;
  const full = label('full');
  if (s.full && LORA.some((k) => where[k] !== undefined)) issues.push(`${LORA.filter((k) => where[k] !== undefined).map((k) => where[k]).join(', ')}: LoRA settings with ${full}; give ${full} or LoRA settings, not both`);
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

/** Adds to `issues` each file the settings name that does not exist, named by `where`. */
export function checkTrainFiles(s: TrainSettings, where: Record<string, string>, issues: string[]): void {
  const missing = (key: string, path: string) => {
    if (!fs.existsSync(path)) issues.push(`${where[key] ?? key} ${path}: no such file or folder`);
  };
  missing('checkpoint', s.checkpoint);
  missing('tokenizer', s.tokenizer);
  for (const file of s.data) missing('data', file);
  if (s.importance !== undefined) missing('importance', s.importance);
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
