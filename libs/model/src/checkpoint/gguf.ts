/**
 * @module checkpoint/gguf
 * The GGUF format of llama.cpp (version 3): the magic "GGUF", the version, the tensor and
 * metadata counts, the metadata as typed key/value pairs, each tensor's name, dimensions
 * (innermost first, the reverse of a row-major shape), type and offset, then the tensor
 * data, each tensor aligned to `general.alignment` (32) bytes. All little-endian.
 *
 * saveGguf writes a Llama-family model as llama.cpp's own converter does: tensor names
 * `token_embd`, `blk.<i>.attn_q`, …, linear weights as [out, in] rows, q and k in the
 * interleaved RoPE order llama.cpp rotates (pairs 2i, 2i+1), norms in f32 whatever the
 * file type, and the tokenizer in `tokenizer.ggml.*`. readGguf parses any GGUF file.
 */
import * as fs from 'node:fs';
import { fromHalf, toHalf } from '@carve/engine';
import { ModelConfig, rotaryDims } from '../config';
import { Tokenizer } from '../tokenizer/tokenizer';
import { writeAll, writeFileAtomic } from './atomic-write';
import { Checkpoint, CheckpointError, float32Of, transpose2d } from './checkpoint';
import { toInterleavedRope } from './rope-layout';
import { ggufTokenizer } from './gguf-tokenizer';

/** Element type of the weights: f16 halves the file; llama.cpp computes in f32 either way. */
export type GgufType = 'f32' | 'f16';

const MAGIC = 0x46554747; // "GGUF"
const VERSION = 3;
const ALIGNMENT = 32;
/** ggml tensor types. */
const GGML_F32 = 0;
const GGML_F16 = 1;
/** general.file_type: all f32, or f16 for the 2-D weights. */
const FILE_TYPE: Record<GgufType, number> = { f32: 0, f16: 1 };

/** GGUF metadata value types. */
export const GGUF_TYPE = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;
type ScalarType = Exclude<keyof typeof GGUF_TYPE, 'array'>;

/** One metadata value: a typed scalar or a typed array. */
export type GgufValue = { type: ScalarType; value: number | bigint | boolean | string } | { type: 'array'; of: ScalarType; values: readonly (number | bigint | boolean | string)[] };

/** A tensor to write: row-major `shape` (outermost first) and its values. */
interface GgufTensor {
  name: string;
  shape: number[];
  data: Float32Array;
  type: number;
}

/**
 * Why `c` cannot be written as GGUF here, or nothing: the llama family without biases
 * (Qwen2-style q/k/v biases need llama.cpp's 'qwen2' architecture), one width for all layers.
 */
export function ggufIssues(c: ModelConfig): string[] {
  const issues: string[] = [];
  if (c.family !== 'llama') issues.push(`family '${c.family}' is not supported (GGUF export covers the llama family; use the hf or onnx format)`);
  if (c.bias || c.qkvBias) issues.push('biases are not supported (llama.cpp reads biased Llama variants as other architectures)');
  if (c.layerHeads || c.layerMlpHidden) issues.push('layers of different widths cannot be expressed (GGUF gives one width for all layers)');
  if (c.family === 'llama' && rotaryDims(c) !== c.headSize) issues.push('partial rotary embeddings are not supported');
  return issues;
}

export interface SaveGgufOptions {
  /** @default 'f16' */
  type?: GgufType;
  /** Extra string entries (`carve.source`, `carve.subnetwork`). @default none */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Writes `checkpoint` (a Llama-family model; see ggufIssues) with `tokenizer` to `path` as
 * a GGUF file llama.cpp loads, atomically. Throws a CheckpointError naming what cannot be
 * expressed before anything is written.
 */
export function saveGguf(path: string, checkpoint: Checkpoint, tokenizer: Tokenizer, options: SaveGgufOptions = {}): void {
  const type = options.type ?? 'f16';
  const issues = ggufIssues(checkpoint.config);
  if (issues.length) throw new CheckpointError(`${path}: cannot write '${checkpoint.config.name}' as GGUF: ${issues.join('; ')}`, 'mismatch', path);
  if (tokenizer.vocabSize > checkpoint.config.vocabSize) {
    throw new CheckpointError(`${path}: the tokenizer has ${tokenizer.vocabSize} tokens, the model ${checkpoint.config.vocabSize}`, 'mismatch', path);
  }
  const { config, weights } = toInterleavedRope(checkpoint);
  const metadata = new Map<string, GgufValue>([
    ['general.architecture', str('llama')],
    ['general.name', str(config.name)],
    ['general.file_type', u32(FILE_TYPE[type])],
    ['general.alignment', u32(ALIGNMENT)],
    ['llama.vocab_size', u32(config.vocabSize)],
    ['llama.context_length', u32(config.blockSize)],
    ['llama.embedding_length', u32(config.nEmbd)],
    ['llama.block_count', u32(config.nLayer)],
    ['llama.feed_forward_length', u32(config.mlpHidden)],
    ['llama.attention.head_count', u32(config.nHead)],
    ['llama.attention.head_count_kv', u32(config.nQueryGroups)],
    // Stated always: a sub-network's head size need not be hidden / heads.
    ['llama.attention.key_length', u32(config.headSize)],
    ['llama.attention.value_length', u32(config.headSize)],
    ['llama.attention.layer_norm_rms_epsilon', f32(config.normEps)],
    ['llama.rope.dimension_count', u32(rotaryDims(config))],
    ['llama.rope.freq_base', f32(config.ropeTheta)],
    ...ggufTokenizer(tokenizer, config.vocabSize),
    ...Object.entries(options.metadata ?? {}).map(([k, v]) => [k, str(v)] as [string, GgufValue]),
  ]);
  const weight = (name: string) => {
    const data = weights.get(name);
    if (!data) throw new CheckpointError(`${path}: the checkpoint has no '${name}'`, 'mismatch', path);
    return float32Of(data);
  };
  const matrixType = type === 'f16' ? GGML_F16 : GGML_F32;
  const E = config.nEmbd;
  // Ours are [in, out] (x·W); llama.cpp, like PyTorch, stores [out, in].
  const linear = (name: string, ours: string, inDim: number, outDim: number): GgufTensor => ({ name, shape: [outDim, inDim], data: transpose2d(weight(ours), inDim, outDim), type: matrixType });
  const vector = (name: string, ours: string): GgufTensor => ({ name, shape: [weight(ours).length], data: weight(ours), type: GGML_F32 });
  const q = config.nHead * config.headSize;
  const kv = config.nQueryGroups * config.headSize;
  const tensors: GgufTensor[] = [{ name: 'token_embd.weight', shape: [config.vocabSize, E], data: weight('wte'), type: matrixType }];
  for (let l = 0; l < config.nLayer; l++) {
    const p = `layers.${l}`;
    const b = `blk.${l}`;
    tensors.push(
      vector(`${b}.attn_norm.weight`, `${p}.norm_1.weight`),
      linear(`${b}.attn_q.weight`, `${p}.attn.q.weight`, E, q),
      linear(`${b}.attn_k.weight`, `${p}.attn.k.weight`, E, kv),
      linear(`${b}.attn_v.weight`, `${p}.attn.v.weight`, E, kv),
      linear(`${b}.attn_output.weight`, `${p}.attn.o.weight`, q, E),
      vector(`${b}.ffn_norm.weight`, `${p}.norm_2.weight`),
      linear(`${b}.ffn_gate.weight`, `${p}.mlp.gate.weight`, E, config.mlpHidden),
      linear(`${b}.ffn_up.weight`, `${p}.mlp.up.weight`, E, config.mlpHidden),
      linear(`${b}.ffn_down.weight`, `${p}.mlp.down.weight`, config.mlpHidden, E),
    );
  }
  tensors.push(vector('output_norm.weight', 'norm_f.weight'));
  // Without output.weight llama.cpp uses the token embeddings as the head (tied).
  if (!config.tiedEmbeddings) tensors.push(linear('output.weight', 'lm_head.weight', E, config.vocabSize));
  writeFileAtomic(path, (fd) => writeGguf(fd, metadata, tensors));
}

function writeGguf(fd: number, metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensor[]): void {
  const header = new ByteWriter();
  header.u32(MAGIC).u32(VERSION).u64(tensors.length).u64(metadata.size);
  for (const [key, value] of metadata) {
    header.string(key);
    header.u32(GGUF_TYPE[value.type]);
    if (value.type === 'array') {
      header.u32(GGUF_TYPE[value.of]).u64(value.values.length);
      for (const v of value.values) header.scalar(value.of, v);
    } else {
      header.scalar(value.type, value.value);
    }
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    header.string(t.name).u32(t.shape.length);
    for (const d of [...t.shape].reverse()) header.u64(d);
    header.u32(t.type).u64(offset);
    offsets.push(offset);
    offset = align(offset + t.data.length * (t.type === GGML_F16 ? 2 : 4));
  }
  header.pad(align(header.length) - header.length);
  writeAll(fd, header.bytes());
  let written = 0;
  tensors.forEach((t, i) => {
    if (offsets[i] > written) writeAll(fd, new Uint8Array(offsets[i] - written));
    const bytes = t.type === GGML_F16 ? asBytes(toHalf(t.data)) : asBytes(t.data);
    writeAll(fd, bytes);
    written = offsets[i] + bytes.length;
  });
}

const align = (n: number) => Math.ceil(n / ALIGNMENT) * ALIGNMENT;

const asBytes = (a: Float32Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const str = (value: string): GgufValue => ({ type: 'string', value });
const u32 = (value: number): GgufValue => ({ type: 'u32', value });
const f32 = (value: number): GgufValue => ({ type: 'f32', value });

/** Little-endian bytes appended in chunks. */
class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }

  private fixed(size: number, write: (view: DataView) => void): this {
    const bytes = new Uint8Array(size);
    write(new DataView(bytes.buffer));
    return this.push(bytes);
  }

  u32(v: number): this {
    return this.fixed(4, (d) => d.setUint32(0, v, true));
  }

  u64(v: number | bigint): this {
    return this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true));
  }

  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    return this.u64(bytes.length).push(bytes);
  }

  pad(n: number): this {
    return this.push(new Uint8Array(n));
  }

  scalar(type: ScalarType, v: number | bigint | boolean | string): this {
    switch (type) {
      case 'string':
        return this.string(v as string);
      case 'bool':
        return this.fixed(1, (d) => d.setUint8(0, v ? 1 : 0));
      case 'u8':
        return this.fixed(1, (d) => d.setUint8(0, v as number));
      case 'i8':
        return this.fixed(1, (d) => d.setInt8(0, v as number));
      case 'u16':
        return this.fixed(2, (d) => d.setUint16(0, v as number, true));
      case 'i16':
        return this.fixed(2, (d) => d.setInt16(0, v as number, true));
      case 'u32':
        return this.u32(v as number);
      case 'i32':
        return this.fixed(4, (d) => d.setInt32(0, v as number, true));
      case 'f32':
        return this.fixed(4, (d) => d.setFloat32(0, v as number, true));
      case 'u64':
        return this.u64(v as number | bigint);
      case 'i64':
        return this.fixed(8, (d) => d.setBigInt64(0, BigInt(v as number | bigint), true));
      case 'f64':
        return this.fixed(8, (d) => d.setFloat64(0, v as number, true));
    }
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** A parsed GGUF file: its metadata, and each tensor's values decoded to float32 on demand. */
export interface GgufFile {
  version: number;
  metadata: Map<string, unknown>;
  tensors: { name: string; shape: number[]; type: number; offset: number }[];
  /** Row-major float32 values of an f32 or f16 tensor. */
  read(name: string): Float32Array;
}

/**
 * Parses the GGUF file at `path` whole (for checks and tests, not for multi-GB files).
 * Throws a CheckpointError naming the file and what is wrong.
 */
export function readGguf(path: string): GgufFile {
  const buffer = fs.readFileSync(path);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let at = 0;
  const need = (n: number) => {
    if (at + n > buffer.length) throw new CheckpointError(`${path}: truncated GGUF (needs ${at + n} bytes, has ${buffer.length})`, 'bad_format', path);
  };
  const u32r = () => (need(4), (at += 4), view.getUint32(at - 4, true));
  const u64r = () => (need(8), (at += 8), Number(view.getBigUint64(at - 8, true)));
  const strr = () => {
    const n = u64r();
    need(n);
    at += n;
    return buffer.toString('utf8', at - n, at);
  };
  const scalarr = (type: number): unknown => {
    const sizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
    if (type === GGUF_TYPE.string) return strr();
    const size = sizes[type];
    if (size === undefined) throw new CheckpointError(`${path}: unknown GGUF value type ${type} at byte ${at}`, 'bad_format', path);
    need(size);
    at += size;
    const o = at - size;
    switch (type) {
      case 0: return view.getUint8(o);
      case 1: return view.getInt8(o);
      case 2: return view.getUint16(o, true);
      case 3: return view.getInt16(o, true);
      case 4: return view.getUint32(o, true);
      case 5: return view.getInt32(o, true);
      case 6: return view.getFloat32(o, true);
      case 7: return view.getUint8(o) !== 0;
      case 10: return view.getBigUint64(o, true);
      case 11: return view.getBigInt64(o, true);
      default: return view.getFloat64(o, true);
    }
  };
  if (u32r() !== MAGIC) throw new CheckpointError(`${path}: not a GGUF file (no "GGUF" magic)`, 'bad_format', path);
  const version = u32r();
  if (version !== VERSION) throw new CheckpointError(`${path}: GGUF version ${version}; only version ${VERSION} is read`, 'bad_format', path);
  const tensorCount = u64r();
  const kvCount = u64r();
  const metadata = new Map<string, unknown>();
  for (let i = 0; i < kvCount; i++) {
    const key = strr();
    const type = u32r();
    if (type === GGUF_TYPE.array) {
      const of = u32r();
      const n = u64r();
      metadata.set(key, Array.from({ length: n }, () => scalarr(of)));
    } else {
      metadata.set(key, scalarr(type));
    }
  }
  const tensors: GgufFile['tensors'] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = strr();
    const dims = Array.from({ length: u32r() }, () => u64r());
    tensors.push({ name, shape: dims.reverse(), type: u32r(), offset: u64r() });
  }
  const alignment = Number(metadata.get('general.alignment') ?? ALIGNMENT);
  const dataStart = Math.ceil(at / alignment) * alignment;
  return {
    version,
    metadata,
    tensors,
    read(name) {
      const t = tensors.find((x) => x.name === name);
      if (!t) throw new CheckpointError(`${path}: no tensor '${name}'`, 'mismatch', path);
      const count = t.shape.reduce((a, b) => a * b, 1);
      const start = dataStart + t.offset;
      if (t.type === GGML_F32) return new Float32Array(buffer.buffer.slice(buffer.byteOffset + start, buffer.byteOffset + start + count * 4));
      if (t.type === GGML_F16) return fromHalf(new Uint16Array(buffer.buffer.slice(buffer.byteOffset + start, buffer.byteOffset + start + count * 2)));
      throw new CheckpointError(`${path}: tensor '${name}' has ggml type ${t.type}; only f32 and f16 are read`, 'bad_format', path);
    },
  };
}
