/**
 * @module tensor
 * A dense tensor in host memory: an element type, a static shape and a typed array.
 * The array is used as given (no copy), so feeding a tensor to a session is free.
 */
import { allocate, DType, DTypeArrays, TypedArray } from './dtype';
import { fromHalf, toHalf } from './half';

export class Tensor<D extends DType = DType> {
  constructor(
    readonly dtype: D,
    readonly shape: readonly number[],
    readonly data: DTypeArrays[D],
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new Error(`tensor of shape [${shape.join(', ')}] needs ${size} elements, got ${data.length}`);
    }
  }

  get size(): number {
    return this.data.length;
  }

  /** A zero-filled tensor. */
  static zeros<D extends DType>(dtype: D, shape: readonly number[]): Tensor<D> {
    return new Tensor(dtype, shape, allocate(dtype, shape.reduce((a, b) => a * b, 1)));
  }

  /** A tensor from plain numbers (or bigints for int64); float16 rounds them to nearest even. */
  static from<D extends DType>(dtype: D, shape: readonly number[], values: ArrayLike<number | bigint>): Tensor<D> {
    if (dtype === 'float16') return new Tensor(dtype, shape, toHalf(Array.from(values, Number)) as DTypeArrays[D]);
    const data = allocate(dtype, values.length);
    if (dtype === 'int64') {
      for (let i = 0; i < values.length; i++) (data as BigInt64Array)[i] = BigInt(values[i]);
    } else {
      for (let i = 0; i < values.length; i++) (data as Exclude<TypedArray, BigInt64Array>)[i] = Number(values[i]);
    }
    return new Tensor(dtype, shape, data);
  }

  /** A 0-d tensor. */
  static scalar<D extends DType>(dtype: D, value: number | bigint | boolean): Tensor<D> {
    return Tensor.from(dtype, [], [typeof value === 'boolean' ? Number(value) : value]);
  }

  /** The elements as plain numbers (int64 converted with Number, float16 decoded). */
  toNumbers(): number[] {
    if (this.dtype === 'float16') return Array.from(fromHalf(this.data as Uint16Array));
    return Array.from(this.data as ArrayLike<number | bigint>, Number);
  }
}
