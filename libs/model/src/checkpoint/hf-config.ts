/**
 * @module checkpoint/hf-config
 * Hugging Face `config.json` to our config and back, dispatched on `model_type`.
 */
import { preview } from '@carve/errors';
import { ConfigError, Family, ModelConfig, resolveConfig } from '../config';
import { CheckpointError } from './checkpoint';
import { HfConfigReader, HfFamily } from './hf-family';
import { gpt2Hf } from './hf-gpt2';
import { gptNeoxHf } from './hf-gpt-neox';
import { llamaHf } from './hf-llama';

const HF_FAMILIES: readonly HfFamily[] = [llamaHf, gpt2Hf, gptNeoxHf];

/** The Hugging Face side of one of our families. */
export function hfFamily(family: Family): HfFamily {
  const found = HF_FAMILIES.find((f) => f.family === family);
  if (!found) throw new Error(`no Hugging Face mapping for family '${family}' (known: ${HF_FAMILIES.map((f) => f.family).join(', ')})`);
  return found;
}

/** Every config.json `model_type` that loads. */
export const HF_MODEL_TYPES: readonly string[] = HF_FAMILIES.flatMap((f) => f.modelTypes);

/**
 * Reads a parsed config.json into a resolved config named `name`. Throws one
 * CheckpointError naming `where` and listing every missing, mistyped or unsupported key.
 */
export function configFromHf(json: unknown, name: string, where: string): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckpointError(`${where}: config.json must be a JSON object`, 'bad_format', where);
  const modelType = (json as Record<string, unknown>).model_type;
  const family = HF_FAMILIES.find((f) => f.modelTypes.includes(modelType as string));
  if (!family) {
    throw new CheckpointError(`${where}: unsupported model_type ${preview(modelType)} (supported: ${HF_MODEL_TYPES.join(', ')})`, 'bad_format', where);
  }
  const reader = new HfConfigReader(json as Record<string, unknown>);
  const input = family.readConfig(reader, modelType as string);
  if (reader.issues.length) throw new CheckpointError(`${where}: unsupported ${String(modelType)} config: ${reader.issues.join('; ')}`, 'bad_format', where);
  try {
    return resolveConfig({ ...input, name });
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError(`${where}: ${e.message}`, 'bad_format', where);
    throw e;
  }
}

/**
 * The config.json Hugging Face transformers loads for `c` (float32 weights). Throws one
 * CheckpointError listing everything the family's architecture cannot express: values it
 * hard-codes, per-layer widths, and interleaved RoPE (saveHfCheckpoint permutes that away).
 */
export function configToHf(c: ModelConfig): Record<string, unknown> {
  const family = hfFamily(c.family);
  const issues: string[] = [];
  for (const [key, value] of Object.entries(family.fixed)) {
    const actual = c[key as keyof ModelConfig];
    if (actual !== value) issues.push(`${key} is ${JSON.stringify(actual)}, the architecture needs ${JSON.stringify(value)}`);
  }
  if (c.layerHeads || c.layerMlpHidden) issues.push('layers of different widths (layerHeads / layerMlpHidden) cannot be expressed: Hugging Face configs give one width for all layers');
  const json = family.writeConfig(c, issues);
  if (issues.length) throw new CheckpointError(`config '${c.name}' cannot be saved as a Hugging Face ${c.family} model: ${issues.join('; ')}`, 'mismatch');
  return json;
}
