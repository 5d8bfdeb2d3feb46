/**
 * @module targets/checkpoint
 * Checkpoints: one safetensors file read tensor by tensor, Hugging Face folders with a
 * mutated config.json, safetensors or shard index (loaded, then saved again, which must
 * leave a whole folder or none), and llama2.c .bin files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint, openSafetensors, saveHfCheckpoint } from '@carve/model';
import { Problem } from '../contract';
import { Prng } from '../prng';
import { Target } from '../runner';
import { Seeds } from '../seeds';
import { bytesCase, copyFolder, jsonCase } from './common';
import { mutateSafetensors } from './safetensors-header';

const FAMILIES = ['llama', 'gpt2', 'gpt_neox', 'sharded'] as const;
const HUGE_SIZES = [1e308, 2 ** 53 + 1, 2 ** 31, 1e9, 1e7, 1025, 0, -1, 1.5];

/** Safetensors bytes: mostly layout-aware mutations, some blind ones. */
function safetensorsCase(rng: Prng, bytes: Uint8Array): { bytes: Uint8Array; applied: string[] } {
  return rng.chance(0.75) ? mutateSafetensors(rng, bytes) : bytesCase(rng, bytes);
}

export function safetensorsTarget(seeds: Seeds, cases: number): Target {
  const seed = fs.readFileSync(path.join(seeds.hf.llama, 'model.safetensors'));
  const file = (dir: string) => path.join(dir, 'model.safetensors');
  return {
    name: 'safetensors',
    cases,
    prepare(rng, dir) {
      const m = safetensorsCase(rng, seed);
      fs.writeFileSync(file(dir), m.bytes);
      return m.applied;
    },
    run(dir) {
      const f = openSafetensors(file(dir));
      for (const name of f.names) f.read(name);
    },
    names: (dir) => [file(dir)],
  };
}

/** A saved folder must be whole (config.json and its weights) or absent, with no temporary files. */
function savedFolderProblems(out: string): Problem[] {
  if (!fs.existsSync(out)) return [];
  const files = fs.readdirSync(out);
  const weights = files.some((f) => f.endsWith('.safetensors') || f === 'model.safetensors.index.json');
  if (files.length === 0 || (files.includes('config.json') && weights && !files.some((f) => f.endsWith('.tmp')))) return [];
  return [{ kind: 'partial-output', detail: `saveHfCheckpoint left ${files.join(', ') || 'an empty folder'} in ${out}` }];
}

/** Loads the case's folder and saves it again (the round trip `carve export` does). */
function loadAndSave(dir: string): void {
  const checkpoint = loadCheckpoint(path.join(dir, 'model'));
  saveHfCheckpoint(checkpoint, path.join(dir, 'saved'));
}

export function hfConfigTarget(seeds: Seeds, cases: number): Target {
  return {
    name: 'hf-config',
    cases,
    prepare(rng, dir) {
      const family = rng.pick(FAMILIES);
      copyFolder(seeds.hf[family], path.join(dir, 'model'));
      const config = path.join(dir, 'model', 'config.json');
      const json = JSON.parse(fs.readFileSync(config, 'utf8')) as Record<string, unknown>;
      if (rng.chance(0.2)) {
        // A size no model has: a loader that trusts it loops or allocates without end.
        const key = rng.pick(Object.keys(json).filter((k) => typeof json[k] === 'number'));
        json[key] = rng.pick(HUGE_SIZES);
        fs.writeFileSync(config, JSON.stringify(json, null, 2));
        return [family, `config.${key}=${json[key]}`];
      }
      const m = jsonCase(rng, json, true);
      fs.writeFileSync(config, m.text);
      return [family, ...m.applied];
    },
    run: loadAndSave,
    names: (dir) => [path.join(dir, 'model')],
    after: (dir) => savedFolderProblems(path.join(dir, 'saved')),
  };
}

export function hfWeightsTarget(seeds: Seeds, cases: number): Target {
  return {
    name: 'hf-weights',
    cases,
    prepare(rng, dir) {
      const family = rng.pick(FAMILIES);
      const model = path.join(dir, 'model');
      copyFolder(seeds.hf[family], model);
      const single = path.join(model, 'model.safetensors');
      if (fs.existsSync(single) && rng.chance(0.03)) {
        fs.rmSync(single);
        fs.mkdirSync(single);
        return [family, 'model.safetensors is a folder'];
      }
      const index = path.join(model, 'model.safetensors.index.json');
      if (fs.existsSync(index) && rng.chance(0.4)) {
        const m = jsonCase(rng, JSON.parse(fs.readFileSync(index, 'utf8')), true);
        fs.writeFileSync(index, m.text);
        return [family, 'index', ...m.applied];
      }
      const shards = fs.readdirSync(model).filter((f) => f.endsWith('.safetensors'));
      const shard = rng.pick(shards);
      const m = safetensorsCase(rng, fs.readFileSync(path.join(model, shard)));
      fs.writeFileSync(path.join(model, shard), m.bytes);
      return [family, shard, ...m.applied];
    },
    run: loadAndSave,
    names: (dir) => [path.join(dir, 'model')],
    after: (dir) => savedFolderProblems(path.join(dir, 'saved')),
  };
}

export function llama2cTarget(seeds: Seeds, cases: number): Target {
  const seed = fs.readFileSync(seeds.llama2cBin);
  const file = (dir: string) => path.join(dir, 'model.bin');
  return {
    name: 'llama2c-bin',
    cases,
    prepare(rng, dir) {
      const bytes = Buffer.from(seed);
      const applied: string[] = [];
      if (rng.chance(0.4)) {
        // A plausible header that disagrees with the file's size, or an implausible one.
        const field = rng.int(7);
        const value = rng.pick([0, 1, 2, 3, 4, 7, 8, 16, 17, -16, 1 << 19, (1 << 20) - 1, 1 << 20, 0x7fffffff, -0x80000000]);
        bytes.writeInt32LE(value, 4 * field);
        applied.push(`header[${field}]=${value}`);
      }
      const m = rng.chance(0.6) || applied.length === 0 ? bytesCase(rng, bytes) : { bytes, applied: [] };
      fs.writeFileSync(file(dir), m.bytes);
      return [...applied, ...m.applied];
    },
    run: (dir) => loadCheckpoint(file(dir)),
    names: (dir) => [file(dir)],
  };
}
