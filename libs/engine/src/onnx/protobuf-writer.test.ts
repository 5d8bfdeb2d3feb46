import { ProtoWriter } from './protobuf-writer';

describe('ProtoWriter', () => {
  test('encodes varints as protobuf does (examples from the encoding guide)', () => {
    expect(Array.from(new ProtoWriter().int(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().int(1, 300).finish())).toEqual([0x08, 0xac, 0x02]);
  });

  test('negative int64 takes ten bytes of two’s complement', () => {
    const bytes = new ProtoWriter().int(1, -1).finish();
    expect(Array.from(bytes)).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  test('strings, nested messages and packed fields are length-delimited', () => {
    expect(Array.from(new ProtoWriter().string(2, 'testing').finish())).toEqual([0x12, 0x07, ...Buffer.from('testing')]);
    const inner = new ProtoWriter().int(1, 150);
    expect(Array.from(new ProtoWriter().message(3, inner).finish())).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
  });

  test('floats are fixed 32-bit little-endian', () => {
    expect(Array.from(new ProtoWriter().float(2, 1).finish())).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
  });

  test('a message of more chunks than a call takes arguments (a 32-layer graph) nests whole', () => {
    const inner = new ProtoWriter();
    const n = 300_000;
    for (let i = 0; i < n; i++) inner.bytes(1, Uint8Array.of(i & 0x7f));
    const bytes = new ProtoWriter().message(2, inner).finish();
    // tag + length varint (1 + 3 bytes), then n fields of tag, length 1 and one byte.
    expect(bytes.length).toBe(1 + 3 + 3 * n);
    expect(Array.from(bytes.subarray(bytes.length - 3))).toEqual([0x0a, 0x01, (n - 1) & 0x7f]);
  });
});
