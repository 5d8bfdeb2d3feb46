/**
 * @module load-bench
 * `npm run bench:load -- --preset TinyLlama-1.1B --dtype BF16`: peak memory of loading a
 * large checkpoint. Writes (once, into --dir) a Hugging Face folder of the preset's shapes
 * with random 16-bit weights, streamed tensor by tensor so the writer never holds the model,
 * then loads it with loadCheckpoint in a child process of its own, twice: keeping the weights
 * in 16 bits (the default) and decoding them to float32; prints each child's peak RSS
 * against the file's size. The last line is a JSON summary.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { configToHf, countParams, hfTensorShapes, loadCheckpoint, ModelConfig, presetConfig } from '@carve/model';
import { round } from './timing';

/** Writes model.safetensors (16-bit, random values of magnitude about 2^-6) and config.json into `dir`. */
function writeRandomCheckpoint(c: ModelConfig, dtype: 'BF16' | 'F16', dir: string): void {
  // First, so a config transformers cannot express fails before anything is written; the
  // values are random, so a preset's interleaved RoPE may as well be called rotate-half.
  const config = JSON.stringify({ ...configToHf({ ...c, ropeLayout: 'half' }), torch_dtype: dtype === 'BF16' ? 'bfloat16' : 'float16' }, null, 2);
  fs.mkdirSync(dir, { recursive: true });
  const tensors = hfTensorShapes(c);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of tensors) {
    const bytes = 2 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const file = path.join(dir, 'model.safetensors');
  const fd = fs.openSync(`${file}.tmp`, 'w');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  fs.writeSync(fd, length);
  fs.writeSync(fd, Buffer.from(json));
  // A block of random halves, reused: the load's cost does not depend on the values.
  const block = new Uint16Array(1 << 20);
  let x = 12345;
  for (let i = 0; i < block.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const sign = (x >>> 31) << 15;
    block[i] = dtype === 'BF16' ? sign | ((118 + ((x >>> 20) & 3)) << 7) | (x & 0x7f) : sign | ((8 + ((x >>> 20) & 3)) << 10) | (x & 0x3ff);
  }
  const blockBytes = new Uint8Array(block.buffer);
  for (const [, shape] of tensors) {
    let left = 2 * shape.reduce((a, b) => a * b, 1);
    while (left > 0) {
      const n = Math.min(left, blockBytes.length);
      fs.writeSync(fd, blockBytes, 0, n);
      left -= n;
    }
  }
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  fs.writeFileSync(path.join(dir, 'config.json'), config);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'TinyLlama-1.1B' },
      dtype: { type: 'string', default: 'BF16' },
      dir: { type: 'string' },
      load: { type: 'string' },
      as: { type: 'string', default: 'auto' },
    },
  });
  if (values.load) {
    // The child: load, then report this process's peak.
    const start = performance.now();
    const model = loadCheckpoint(values.load, { dtype: values.as as 'auto' | 'float32' });
    const seconds = (performance.now() - start) / 1000;
    console.log(JSON.stringify({ seconds, params: countParams(model.config), peakRss: process.resourceUsage().maxRSS * 1024 }));
    return;
  }
  const dtype = values.dtype as 'BF16' | 'F16';
  if (dtype !== 'BF16' && dtype !== 'F16') throw new Error(`--dtype must be BF16 or F16, got '${values.dtype}'`);
  const config = presetConfig(values.preset!);
  const dir = values.dir ?? path.join(os.tmpdir(), `carve-load-bench-${config.name}-${dtype}`);
  if (!fs.existsSync(path.join(dir, 'model.safetensors'))) writeRandomCheckpoint(config, dtype, dir);
  const fileBytes = fs.statSync(path.join(dir, 'model.safetensors')).size;
  const load = (as: 'auto' | 'float32') => {
    const out = execFileSync(process.execPath, [__filename, '--load', dir, '--as', as], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; params: number; peakRss: number };
  };
  const [kept, decoded] = [load('auto'), load('float32')];
  const [ratio, decodedRatio] = [kept.peakRss / fileBytes, decoded.peakRss / fileBytes];
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
  console.log(`${config.name} (${kept.params} parameters, random ${dtype}), ${dir}: file ${gib(fileBytes)} GiB`);
  console.log(`loadCheckpoint, 16-bit kept:       ${kept.seconds.toFixed(1)} s, peak RSS ${gib(kept.peakRss)} GiB = ${ratio.toFixed(2)}x the file`);
  console.log(`loadCheckpoint, decoded to float32: ${decoded.seconds.toFixed(1)} s, peak RSS ${gib(decoded.peakRss)} GiB = ${decodedRatio.toFixed(2)}x the file`);
  console.log(
    JSON.stringify({
      bench: 'load', preset: config.name, dtype, params: kept.params, file_bytes: fileBytes,
      load_s: round(kept.seconds, 2), peak_rss_bytes: kept.peakRss, ratio: round(ratio, 2),
      float32_load_s: round(decoded.seconds, 2), float32_peak_rss_bytes: decoded.peakRss, float32_ratio: round(decodedRatio, 2),
    }),
  );
}

main();
