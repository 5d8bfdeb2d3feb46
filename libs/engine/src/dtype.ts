/**
 * @module dtype
 * Element types the engine supports, with their ONNX codes and typed-array storage.
 */

/**
 * Element type of a tensor. float16 is for storage only (16-bit weights fed to a graph that
 * casts them to float32): no op computes in it and it carries no gradient.
 */
export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'bool';

/** The typed array that stores each element type (bool as one byte per element, as ONNX Runtime does). */
export interface DTypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  /** IEEE half bit patterns, as ONNX Runtime takes them (see half.ts). */
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

export type TypedArray = DTypeArrays[DType];

/** ONNX `TensorProto.DataType` codes. */
export const ONNX_DTYPE_CODE: Record<DType, number> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

/** Bytes per element. */
export const DTYPE_BYTES: Record<DType, number> = { float32: 4, float64: 8, float16: 2, int64: 8, int32: 4, bool: 1 };

/** True for element types that carry gradients. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Allocates a zero-filled typed array of `size` elements for `dtype`. */
export function allocate<D extends DType>(dtype: D, size: number): DTypeArrays[D] {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size) as DTypeArrays[D];
    case 'float64':
      return new Float64Array(size) as DTypeArrays[D];
    case 'float16':
      return new Uint16Array(size) as DTypeArrays[D];
    case 'int64':
      return new BigInt64Array(size) as DTypeArrays[D];
    case 'int32':
      return new Int32Array(size) as DTypeArrays[D];
    case 'bool':
      return new Uint8Array(size) as DTypeArrays[D];
  }
  throw new Error(`unknown dtype '${String(dtype)}'`);
}
