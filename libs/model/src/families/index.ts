/**
 * @module families
 * Named model presets, LitGPT-style: plain config objects grouped by family, each with
 * its upstream config URL and its parameter count.
 */
import { ConfigError, ModelConfig, ModelConfigInput, resolveConfig } from '../config';
import { gpt2Presets } from './gpt2';
import { gptNeoxPresets } from './gpt-neox';
import { llamaPresets } from './llama';

export interface Preset {
  /** Parameters (the sizes of paramSpecs summed; a tied head counts once). */
  params: number;
  config: ModelConfigInput;
}

/** Every preset, by family. */
export const PRESETS: readonly Preset[] = [...llamaPresets, ...gpt2Presets, ...gptNeoxPresets];

/** The preset names, in table order. */
export function presetNames(): string[] {
  return PRESETS.map((p) => p.config.name);
}

/** The resolved config of preset `name`; throws a ConfigError listing the known names for an unknown one. */
export function presetConfig(name: string): ModelConfig {
  const preset = PRESETS.find((p) => p.config.name === name);
  if (!preset) throw new ConfigError(`unknown preset '${name}' (known: ${presetNames().join(', ')})`, ['name']);
  return resolveConfig(preset.config);
}
