/**
 * @module onnx/protobuf-writer
 * A minimal protocol-buffers encoder: varints, fixed 32-bit floats, and length-delimited
 * fields. Nested messages and large byte blocks are kept as chunks and copied once, at
 * the end, so serializing a model with megabytes of weights makes a single copy of them.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private length = 0;

  get byteLength(): number {
    return this.length + this.pending.length;
  }

  private flush(): void {
    if (this.pending.length) {
      this.chunks.push(Uint8Array.from(this.pending));
      this.length += this.pending.length;
      this.pending = [];
    }
  }

  private varint(value: number | bigint): void {
    // Negative int64 values are encoded as 10-byte two's complement, as protobuf requires.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.pending.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.pending.push(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.pending.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.flush();
    this.chunks.push(data);
    this.length += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A packed repeated varint field. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.message(field, inner);
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): this {
    const data = new Uint8Array(4 * values.length);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return this.bytes(field, data);
  }

  message(field: number, inner: ProtoWriter): this {
    inner.flush();
    this.tag(field, WIRE_LEN);
    this.varint(inner.length);
    this.flush();
    // A loop, not push(...chunks): a large graph's chunks outnumber the arguments a call may take.
    for (const c of inner.chunks) this.chunks.push(c);
    this.length += inner.length;
    return this;
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}
