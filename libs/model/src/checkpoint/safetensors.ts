/**
 * @module checkpoint/safetensors
 * The safetensors format (https://huggingface.co/docs/safetensors): a u64 little-endian
 * header length N, N bytes of JSON mapping each tensor name to `dtype`, `shape` and
 * `data_offsets` ([begin, end) in the data that follows the header) plus an optional
 * `__metadata__` of strings, then the data. The header is read and checked whole when a
 * file is opened; tensors are read one at a time, on demand, so files larger than memory
 * allow (multi-GB checkpoints) and tensors that are dropped are never decoded.
 */
import * as fs from 'node:fs';
import { bfloat16ToHalf, fromBfloat16, fromHalf } from '@carve/engine';
import { oneLine, preview } from '@carve/errors';
import { CheckpointError, HalfValues, rawOf, WeightValues } from './checkpoint';
import { writeAll, writeFileAtomic } from './atomic-write';

/** Bytes per element of every dtype the format defines; only F32, F16 and BF16 decode. */
const DTYPE_BYTES: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8 };
const DECODABLE = ['F32', 'F16', 'BF16'];
/** The reference implementation refuses larger headers; so do we, before allocating them. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data. */
  offsets: [number, number];
}

/** A tensor to write: float32 values (F32) or 16-bit ones (F16). */
export interface TensorData {
  shape: number[];
  data: WeightValues;
}

export interface ReadOptions {
  /**
   * 'auto' keeps 16-bit tensors in 16 bits (HalfValues): F16 as stored, BF16 converted to
   * half, which is exact in half's normal range (|x| ≥ 2^-14) and off by at most 2^-25
   * below it; a BF16 tensor with a value beyond half's range (65504) is read as float32
   * instead. 'float32' decodes everything to float32. @default 'auto'
   */
  dtype?: 'auto' | 'float32';
}

/** Tensors by name that can be read one at a time: one file or a sharded folder. */
export interface TensorSource {
  /** Every tensor's name, in file order. */
  readonly names: readonly string[];
  /** The header entry of `name`, undefined when absent. */
  entry(name: string): SafetensorsEntry | undefined;
  /** `name`'s values decoded to float32; throws naming the file and tensor when it cannot. */
  read(name: string): Float32Array;
  /** `name`'s values, 16-bit ones kept in 16 bits as `options` say; throws as read does. */
  readWeight(name: string, options?: ReadOptions): WeightValues;
  /** Where `name` lives, for messages. */
  fileOf(name: string): string;
}

/** An open safetensors file: its checked header; tensors are read on demand. */
export interface SafetensorsFile extends TensorSource {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
}

function fail(path: string, message: string, code: CheckpointError['code'] = 'bad_format'): never {
  throw new CheckpointError(`${path}: ${message}`, code, path);
}

/**
 * Opens `path` and validates its header: the length fits the file, the JSON parses, every
 * entry has a known dtype, a shape of non-negative integers and offsets inside the data
 * that match the shape's size and overlap no other tensor. Every problem is reported at once.
 */
export function openSafetensors(path: string): SafetensorsFile {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    return fail(path, `cannot open the safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'not_found');
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) fail(path, 'is not a file (a folder?); a safetensors file was expected here', 'bad_format');
    const size = stat.size;
    if (size < 8) fail(path, `truncated: ${size} bytes, shorter than the 8-byte safetensors header length`, 'truncated');
    const lengthBytes = Buffer.alloc(8);
    fs.readSync(fd, lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (headerLength > size - 8) fail(path, `header length ${headerLength} runs past the end of the file (${size} bytes): truncated or not a safetensors file`, 'truncated');
    if (headerLength > MAX_HEADER_BYTES) fail(path, `header length ${headerLength} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`);
    const headerBytes = Buffer.alloc(headerLength);
    fs.readSync(fd, headerBytes, 0, headerLength, 8);
    const { entries, metadata } = parseHeader(path, headerBytes, size - 8 - headerLength);
    return makeFile(path, 8 + headerLength, entries, metadata);
  } finally {
    fs.closeSync(fd);
  }
}

function parseHeader(path: string, bytes: Buffer, dataLength: number): { entries: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return fail(path, `the header is not valid JSON (${oneLine((e as Error).message)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail(path, 'the header is not a JSON object');
  const issues: string[] = [];
  let truncated = false;
  const metadata: Record<string, string> = {};
  const entries = new Map<string, SafetensorsEntry>();
  for (const [key, raw] of Object.entries(header as Record<string, unknown>)) {
    // Names go into messages: a line break in one must not break the message's line.
    const name = oneLine(key);
    if (key === '__metadata__') {
      const ok = typeof raw === 'object' && raw !== null && Object.values(raw).every((v) => typeof v === 'string');
      if (ok) Object.assign(metadata, raw);
      else issues.push(`'__metadata__' must map strings to strings`);
      continue;
    }
    const e = raw as Partial<Record<'dtype' | 'shape' | 'data_offsets', unknown>>;
    const isIndex = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (typeof e?.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
      issues.push(`tensor '${name}': unknown dtype ${typeof e?.dtype === 'string' ? `'${oneLine(e.dtype)}'` : preview(e?.dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
      continue;
    }
    if (!Array.isArray(e.shape) || !e.shape.every(isIndex)) {
      issues.push(`tensor '${name}': shape must be a list of non-negative integers, got ${preview(e.shape)}`);
      continue;
    }
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
      issues.push(`tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${preview(offsets)}`);
      continue;
    }
    const [begin, end] = offsets as [number, number];
    const needed = e.shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_BYTES[e.dtype];
    if (end > dataLength) {
      truncated = true;
      issues.push(`tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes): the file is truncated`);
    } else if (end - begin !== needed) {
      issues.push(`tensor '${name}': ${e.dtype} [${e.shape.join(', ')}] needs ${needed} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    } else entries.set(key, { dtype: e.dtype, shape: e.shape as number[], offsets: [begin, end] });
  }
  const byStart = [...entries].filter(([, e]) => e.offsets[1] > e.offsets[0]).sort((a, b) => a[1].offsets[0] - b[1].offsets[0]);
  for (let i = 1; i < byStart.length; i++) {
    const [prevName, prev] = byStart[i - 1];
    const [name, e] = byStart[i];
    if (e.offsets[0] < prev.offsets[1]) issues.push(`tensors '${oneLine(prevName)}' [${prev.offsets.join(', ')}] and '${oneLine(name)}' [${e.offsets.join(', ')}] overlap`);
  }
  if (issues.length) fail(path, `invalid safetensors header: ${issues.join('; ')}`, truncated ? 'truncated' : 'bad_format');
  return { entries, metadata };
}

function makeFile(path: string, dataStart: number, entries: Map<string, SafetensorsEntry>, metadata: Record<string, string>): SafetensorsFile {
  return {
    path,
    metadata,
    names: [...entries.keys()],
    entry: (name) => entries.get(name),
    fileOf: () => path,
    read: (name) => decode(...readBytes(name)),
    readWeight(name, options = {}) {
      const [dtype, bytes] = readBytes(name);
      if (options.dtype === 'float32' || dtype === 'F32') return decode(dtype, bytes);
      const halves = new Uint16Array(bytes.buffer, 0, bytes.length / 2);
      if (dtype === 'F16') return new HalfValues(halves);
      const half = bfloat16ToHalf(halves);
      return half.overflowed ? fromBfloat16(halves) : new HalfValues(half.bits);
    },
  };

  function readBytes(name: string): [string, Uint8Array] {
    const e = entries.get(name);
    if (!e) return fail(path, `no tensor '${name}'`);
    if (!DECODABLE.includes(e.dtype)) fail(path, `tensor '${name}' has dtype ${e.dtype}; only ${DECODABLE.join(', ')} can be read as float32`);
    const [begin, end] = e.offsets;
    const bytes = new Uint8Array(end - begin);
    const fd = fs.openSync(path, 'r');
    try {
      const got = fs.readSync(fd, bytes, 0, bytes.length, dataStart + begin);
      if (got !== bytes.length) fail(path, `tensor '${name}': read ${got} of ${bytes.length} bytes; the file changed or is truncated`, 'truncated');
    } finally {
      fs.closeSync(fd);
    }
    return [e.dtype, bytes];
  }
}

/** Little-endian bytes (an aligned copy) to float32; Node runs little-endian everywhere it is supported. */
function decode(dtype: string, bytes: Uint8Array): Float32Array {
  if (dtype === 'F32') return new Float32Array(bytes.buffer, 0, bytes.length / 4);
  const halves = new Uint16Array(bytes.buffer, 0, bytes.length / 2);
  return dtype === 'BF16' ? fromBfloat16(halves) : fromHalf(halves);
}

/**
 * Writes tensors (in the given order: float32 as F32, 16-bit as F16) atomically. The header is padded with
 * spaces to a multiple of 8 bytes so the data starts aligned. `metadata` defaults to
 * `{ format: 'pt' }`, which Hugging Face transformers requires to load the file.
 */
export function writeSafetensors(path: string, tensors: Iterable<[string, TensorData]>, metadata: Record<string, string> = { format: 'pt' }): void {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const list = [...tensors];
  const problems: string[] = [];
  let offset = 0;
  for (const [name, t] of list) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (name === '__metadata__') problems.push(`'__metadata__' cannot be a tensor name`);
    else if (t.data.length !== size) problems.push(`tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}] (${size})`);
    const bytes = rawOf(t.data).byteLength;
    header[name] = { dtype: t.data instanceof HalfValues ? 'F16' : 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  if (problems.length) fail(path, `cannot write: ${problems.join('; ')}`, 'mismatch');
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileAtomic(path, (fd) => {
    writeAll(fd, length);
    writeAll(fd, Buffer.from(json, 'utf8'));
    for (const [, t] of list) {
      const a = rawOf(t.data);
      writeAll(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
  });
}
