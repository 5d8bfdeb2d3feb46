import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { CheckpointError } from './checkpoint';
import { openSafetensors, TensorData, writeSafetensors } from './safetensors';
import { openShardedSafetensors, SAFETENSORS_INDEX, writeShardedSafetensors } from './safetensors-sharded';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'safetensors-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A safetensors file from a header object and raw data bytes, with no checks. */
function rawFile(name: string, header: object, data: Uint8Array, headerLength?: number): string {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerLength ?? json.length));
  const path = nodePath.join(dir, name);
  fs.writeFileSync(path, Buffer.concat([length, json, data]));
  return path;
}

const u16 = (...values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);

const tensors: [string, TensorData][] = [
  ['a', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-8, -0, 65504]) }],
  ['b.scalar', { shape: [], data: Float32Array.from([Math.PI]) }],
  ['c', { shape: [4], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) }],
];

describe('safetensors', () => {
  it('round-trips F32 tensors, their order and the metadata', () => {
    const path = nodePath.join(dir, 'x.safetensors');
    writeSafetensors(path, tensors, { format: 'pt', note: 'hi' });
    const file = openSafetensors(path);
    expect(file.metadata).toEqual({ format: 'pt', note: 'hi' });
    expect(file.names).toEqual(['a', 'b.scalar', 'c']);
    for (const [name, t] of tensors) {
      expect(file.entry(name)).toMatchObject({ dtype: 'F32', shape: t.shape });
      expect(file.read(name)).toEqual(t.data);
    }
    // The header is padded so the data starts 8-byte aligned.
    expect((8 + Number(fs.readFileSync(path).readBigUInt64LE(0))) % 8).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['x.safetensors']); // no temporary file left
  });

  it('decodes F16 and BF16 to the hand-computed float32 values, at unaligned offsets too', () => {
    // F16: 1, -2, 0x3555 = 1 + 341/1024 scaled by 2^-2, smallest subnormal 2^-24, largest finite, +inf, -0.
    const f16 = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x7c00, 0x8000];
    const f16Expected = [1, -2, 0.333251953125, 5.960464477539063e-8, 65504, Infinity, -0];
    // BF16 is the top half of a float32: 0x3f80 = 1, 0xc040 = -3, 0x3eab = 0.333984375, 0xff80 = -inf.
    const bf16 = [0x3f80, 0xc040, 0x3eab, 0xff80];
    const bf16Expected = [1, -3, 0.333984375, -Infinity];
    const odd = u16(0x3c00); // 2 bytes, so the next tensor starts unaligned
    const f32 = new Uint8Array(Float32Array.from([2.5, -7]).buffer);
    const data = Buffer.concat([odd, u16(...f16), u16(...bf16), f32]);
    const header = {
      odd: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      h: { dtype: 'F16', shape: [7], data_offsets: [2, 16] },
      b: { dtype: 'BF16', shape: [2, 2], data_offsets: [16, 24] },
      f: { dtype: 'F32', shape: [2], data_offsets: [24, 32] },
    };
    const file = openSafetensors(rawFile('half.safetensors', header, data));
    expect(Array.from(file.read('h'))).toEqual(f16Expected);
    expect(Object.is(file.read('h')[6], -0)).toBe(true);
    expect(Array.from(file.read('b'))).toEqual(bf16Expected);
    // A float32 subnormal, checked by its bits: once ONNX Runtime has run in this thread, the
    // CPU treats subnormals as zero in arithmetic (denormals-are-zero), reads included.
    const tiny = openSafetensors(rawFile('tiny.safetensors', { t: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, u16(0x0001)));
    expect(new Uint32Array(tiny.read('t').buffer)[0]).toBe(0x00010000); // 2^-133
    expect(Array.from(file.read('f'))).toEqual([2.5, -7]);
  });

  it('writes and reads a sharded checkpoint through its index', () => {
    const files = writeShardedSafetensors(dir, tensors, 24); // a's 24 bytes fill the first shard
    expect(files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const index = JSON.parse(fs.readFileSync(nodePath.join(dir, SAFETENSORS_INDEX), 'utf8'));
    expect(index).toEqual({ metadata: { total_size: 44 }, weight_map: { a: files[0], 'b.scalar': files[1], c: files[1] } });
    const source = openShardedSafetensors(nodePath.join(dir, SAFETENSORS_INDEX));
    expect([...source.names].sort()).toEqual(['a', 'b.scalar', 'c']);
    for (const [name, t] of tensors) expect(source.read(name)).toEqual(t.data);
    expect(source.fileOf('c')).toBe(nodePath.join(dir, files[1]));
  });

  it('rejects an index whose weight_map names a tensor its shard lacks', () => {
    writeShardedSafetensors(dir, tensors, 1000);
    const indexPath = nodePath.join(dir, SAFETENSORS_INDEX);
    const index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
    index.weight_map.ghost = 'model-00001-of-00001.safetensors';
    index.weight_map.escape = '../elsewhere.safetensors';
    fs.writeFileSync(indexPath, JSON.stringify(index));
    expect(() => openShardedSafetensors(indexPath)).toThrow(
      `${indexPath}: inconsistent safetensors index: tensor 'ghost' is not in its shard model-00001-of-00001.safetensors; tensor 'escape' maps to "../elsewhere.safetensors", not a file name in the index's folder`,
    );
  });

  describe('errors name the file and the tensor', () => {
    const expectError = (fn: () => unknown, message: string, code: CheckpointError['code']) => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).message).toBe(message);
      expect((error as CheckpointError).code).toBe(code);
    };

    it('a truncated file', () => {
      const path = nodePath.join(dir, 'cut.safetensors');
      writeSafetensors(path, tensors);
      const bytes = fs.readFileSync(path);
      fs.writeFileSync(path, bytes.subarray(0, bytes.length - 4));
      expectError(() => openSafetensors(path), `${path}: invalid safetensors header: tensor 'c': data_offsets [28, 44] run past the end of the data (40 bytes): the file is truncated`, 'truncated');
    });

    it('a header length past the end of the file', () => {
      const path = rawFile('long.safetensors', {}, new Uint8Array(0), 1000);
      expectError(() => openSafetensors(path), `${path}: header length 1000 runs past the end of the file (10 bytes): truncated or not a safetensors file`, 'truncated');
      fs.writeFileSync(path, Buffer.alloc(3));
      expectError(() => openSafetensors(path), `${path}: truncated: 3 bytes, shorter than the 8-byte safetensors header length`, 'truncated');
    });

    it('bad entries, all at once', () => {
      const header = {
        weird: { dtype: 'F33', shape: [1], data_offsets: [0, 4] },
        short: { dtype: 'F32', shape: [2], data_offsets: [0, 4] },
        x: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        y: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
        neg: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] },
      };
      const path = rawFile('bad.safetensors', header, new Uint8Array(16));
      expectError(
        () => openSafetensors(path),
        `${path}: invalid safetensors header: tensor 'weird': unknown dtype 'F33' (known: BOOL, U8, I8, F8_E4M3, F8_E5M2, I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64); ` +
          `tensor 'short': F32 [2] needs 8 bytes but data_offsets [0, 4] hold 4; tensor 'neg': shape must be a list of non-negative integers, got [-1]; ` +
          `tensors 'x' [4, 12] and 'y' [8, 16] overlap`,
        'bad_format',
      );
    });

    it('a header that is not JSON, a missing file, a dtype that does not decode', () => {
      const path = rawFile('junk.safetensors', {}, new Uint8Array(0));
      fs.writeFileSync(path, Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x')]));
      expect(() => openSafetensors(path)).toThrow(`${path}: the header is not valid JSON`);
      const missing = nodePath.join(dir, 'none.safetensors');
      expectError(() => openSafetensors(missing), `${missing}: cannot open the safetensors file (ENOENT)`, 'not_found');
      const ints = rawFile('ints.safetensors', { i: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
      expectError(() => openSafetensors(ints).read('i'), `${ints}: tensor 'i' has dtype I64; only F32, F16, BF16 can be read as float32`, 'bad_format');
    });

    it('writing a tensor whose data does not fit its shape leaves no file behind', () => {
      const path = nodePath.join(dir, 'w.safetensors');
      expectError(() => writeSafetensors(path, [['w', { shape: [2, 2], data: new Float32Array(3) }]]), `${path}: cannot write: tensor 'w' has 3 values for shape [2, 2] (4)`, 'mismatch');
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });
});
