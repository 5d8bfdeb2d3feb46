import { formatBytes, formatInteger, formatSeconds, formatTick, formatValue } from './format';

test('tick labels take the decimals their step needs and k, M or G for large values', () => {
  expect(formatTick(0, 50_000, 260_032)).toBe('0');
  expect(formatTick(150_000, 50_000, 260_032)).toBe('150k');
  expect(formatTick(15_000, 5_000, 20_000)).toBe('15k');
  expect(formatTick(2_500_000, 500_000, 3_000_000)).toBe('2.5M');
  expect(formatTick(2e11, 1e11, 3.4e11)).toBe('200G');
  expect(formatTick(5000, 1000, 8000)).toBe('5000');
  expect(formatTick(1.5, 0.5, 3)).toBe('1.5');
  expect(formatTick(2, 0.5, 3)).toBe('2.0');
  expect(formatTick(0.3, 0.1, 1)).toBe('0.3');
  expect(formatTick(0.0015, 0.0005, 0.003)).toBe('0.0015');
  expect(formatTick(40, 20, 100)).toBe('40');
  expect(formatTick(-0.2, 0.1, 1)).toBe('-0.2');
});

test('values: integers in full with separators, others to 4 significant digits', () => {
  expect(formatInteger(260_032)).toBe('260,032');
  expect(formatInteger(-1_234_567)).toBe('-1,234,567');
  expect(formatValue(260_032)).toBe('260,032');
  expect(formatValue(1.43712)).toBe('1.437');
  expect(formatValue(0.97254)).toBe('0.9725');
  expect(formatValue(1e-7)).toBe('1.00e-7');
  expect(formatValue(Number.NaN)).toBe('NaN');
});

test('bytes and seconds', () => {
  expect(formatBytes(412)).toBe('412 B');
  expect(formatBytes(63_795)).toBe('62.3 KiB');
  expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  expect(formatBytes(-1)).toBe('?');
  expect(formatSeconds(4.1)).toBe('4.1 s');
  expect(formatSeconds(47.34)).toBe('47.3 s');
  expect(formatSeconds(74)).toBe('1 min 14 s');
  expect(formatSeconds(3725)).toBe('1 h 2 min');
  expect(formatSeconds(Number.NaN)).toBe('?');
});
