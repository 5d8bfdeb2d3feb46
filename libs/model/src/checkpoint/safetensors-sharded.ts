/**
 * @module checkpoint/safetensors-sharded
 * Checkpoints split over several safetensors files, as Hugging Face writes large models:
 * `model.safetensors.index.json` holds `weight_map` (tensor name → shard file name, in
 * the same folder) and `metadata.total_size` (bytes of tensor data).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { oneLine, preview } from '@carve/errors';
import { CheckpointError, rawOf } from './checkpoint';
import { writeJsonAtomic } from './atomic-write';
import { openSafetensors, SafetensorsFile, TensorData, TensorSource, writeSafetensors } from './safetensors';

/** The index file's name, as Hugging Face names it. */
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

/**
 * Opens a sharded checkpoint from its index file. Checks that `weight_map` is an object of
 * file names inside the folder and that every listed tensor is in its shard.
 */
export function openShardedSafetensors(indexPath: string): TensorSource {
  let index: unknown;
  try {
    index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(`${indexPath}: cannot read the safetensors index (${code ?? oneLine((e as Error).message)})`, code ? 'not_found' : 'bad_format', indexPath);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new CheckpointError(`${indexPath}: no 'weight_map' object mapping tensor names to shard files`, 'bad_format', indexPath);
  }
  const folder = nodePath.dirname(indexPath);
  const shards = new Map<string, SafetensorsFile>();
  const fileOf = new Map<string, SafetensorsFile>();
  const issues: string[] = [];
  for (const [name, file] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof file !== 'string' || file === '' || file === '.' || file === '..' || file !== nodePath.basename(file)) {
      issues.push(`tensor '${oneLine(name)}' maps to ${preview(file)}, not a file name in the index's folder`);
      continue;
    }
    let shard = shards.get(file);
    if (!shard) shards.set(file, (shard = openSafetensors(nodePath.join(folder, file))));
    if (!shard.entry(name)) issues.push(`tensor '${oneLine(name)}' is not in its shard ${oneLine(file)}`);
    else fileOf.set(name, shard);
  }
  if (issues.length) throw new CheckpointError(`${indexPath}: inconsistent safetensors index: ${issues.join('; ')}`, 'bad_format', indexPath);
  const shardOf = (name: string) => {
    const shard = fileOf.get(name);
    if (!shard) throw new CheckpointError(`${indexPath}: no tensor '${name}' in weight_map`, 'bad_format', indexPath);
    return shard;
  };
  return {
    names: [...fileOf.keys()],
    entry: (name) => fileOf.get(name)?.entry(name),
    read: (name) => shardOf(name).read(name),
    readWeight: (name, options) => shardOf(name).readWeight(name, options),
    fileOf: (name) => shardOf(name).path,
  };
}

/**
 * Writes `tensors` (in order) into shards of at most `maxShardBytes` of data each (a larger
 * tensor gets a shard of its own), named `model-00001-of-0000N.safetensors`, then the
 * index. Each file is written atomically; the index last, so it never names a missing shard.
 * `metadata` goes into every shard's `__metadata__` (see writeSafetensors for its default).
 */
export function writeShardedSafetensors(folder: string, tensors: Iterable<[string, TensorData]>, maxShardBytes: number, metadata?: Record<string, string>): string[] {
  if (!(maxShardBytes > 0)) throw new CheckpointError(`${folder}: maxShardBytes must be positive, got ${maxShardBytes}`, 'mismatch', folder);
  const groups: [string, TensorData][][] = [];
  let bytes = Infinity;
  let totalSize = 0;
  for (const item of tensors) {
    const size = rawOf(item[1].data).byteLength;
    if (bytes + size > maxShardBytes) {
      groups.push([]);
      bytes = 0;
    }
    groups[groups.length - 1].push(item);
    bytes += size;
    totalSize += size;
  }
  const pad = (n: number) => String(n).padStart(5, '0');
  const files = groups.map((_, i) => `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`);
  const weightMap: Record<string, string> = {};
  groups.forEach((group, i) => {
    writeSafetensors(nodePath.join(folder, files[i]), group, metadata);
    for (const [name] of group) weightMap[name] = files[i];
  });
  writeJsonAtomic(nodePath.join(folder, SAFETENSORS_INDEX), { metadata: { total_size: totalSize }, weight_map: weightMap });
  return files;
}
