/**
 * @module options
 * Parsers for option values that reject bad input with a message naming the option.
 */
import { InvalidArgumentError } from 'commander';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n)) throw new InvalidArgumentError('must be a non-negative integer.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0.');
  return n;
}

export function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1)) throw new InvalidArgumentError('must be a number in (0, 1].');
  return n;
}

/** A comma-separated list of distinct non-negative integers (seeds). */
export function nonNegativeIntList(value: string): number[] {
  const items = value.split(',').map((v) => v.trim());
  if (items.some((v) => !/^\d+$/.test(v))) throw new InvalidArgumentError('must be comma-separated non-negative integers, like 0,1,2.');
  const numbers = items.map(Number);
  if (new Set(numbers).size !== numbers.length) throw new InvalidArgumentError('must not repeat a value.');
  return numbers;
}

/** A comma-separated list of fractions in (0, 1]. */
export function probabilityList(value: string): number[] {
  return value.split(',').map((v) => probability(v.trim()));
}
