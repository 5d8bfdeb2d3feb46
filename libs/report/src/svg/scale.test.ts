import { axisFor, linearScale, tickStep, ticks, widen } from './scale';
import { staircase } from './scatter';

test('tick steps are 1, 2 or 5 times a power of ten, near the asked count', () => {
  expect(tickStep(0, 10)).toBe(2);
  expect(tickStep(0, 1)).toBeCloseTo(0.2, 12);
  expect(tickStep(10_816, 260_032)).toBe(50_000);
  expect(tickStep(1.437, 5.5)).toBeCloseTo(1, 12);
  expect(tickStep(0, 100, 10)).toBe(10);
});

test('ticks are the multiples of the step inside the range, without float noise', () => {
  expect(ticks(0, 1, 0.1)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  expect(ticks(-0.25, 0.25, 0.1)).toEqual([-0.2, -0.1, 0, 0.1, 0.2]);
  expect(ticks(10_816, 260_032, 50_000)).toEqual([50_000, 100_000, 150_000, 200_000, 250_000]);
});

test('an empty or single-valued range is widened around its value', () => {
  expect(widen(3, 3)).toEqual([2.7, 3.3]);
  expect(widen(0, 0)).toEqual([-1, 1]);
  expect(widen(-2, -2)).toEqual([-2.2, -1.8]);
  expect(widen(Number.NaN, 1)).toEqual([0, 1]);
  expect(axisFor([]).domain).toEqual([0, 1]);
  const single = axisFor([5, 5]);
  expect(single.domain[1]).toBeGreaterThan(single.domain[0]);
  expect(single.ticks.length).toBeGreaterThan(1);
});

test('axes ignore non-finite values, pad data ranges and round count axes to whole steps from zero', () => {
  expect(axisFor([Number.NaN, Infinity, 2, 4, -Infinity]).domain).toEqual([2, 4]);
  const padded = axisFor([0, 10], { pad: 0.1 });
  expect(padded.domain).toEqual([-1, 11]);
  expect(axisFor([1, 2, 1], { zero: true, nice: true, minStep: 1 })).toEqual({ domain: [0, 2], ticks: [0, 1, 2], step: 1 });
  expect(axisFor([3, 17], { zero: true, nice: true })).toEqual({ domain: [0, 20], ticks: [0, 5, 10, 15, 20], step: 5 });
  expect(() => axisFor(Array.from({ length: 300_000 }, (_, i) => i))).not.toThrow();
});

test('a linear scale maps the domain onto a range that may run backwards', () => {
  const y = linearScale([0, 10], [100, 0]);
  expect(y(0)).toBe(100);
  expect(y(2.5)).toBe(75);
  expect(y(10)).toBe(0);
});

test('the staircase joins the non-dominated points through their worse corners', () => {
  const points = [
    { x: 1, y: 5 },
    { x: 3, y: 4 },
    { x: 2, y: 3 },
    { x: 4, y: 1 },
  ];
  expect(staircase(points, { x: 'minimize', y: 'minimize' })).toEqual([
    { x: 1, y: 5 },
    { x: 2, y: 5 },
    { x: 2, y: 3 },
    { x: 4, y: 3 },
    { x: 4, y: 1 },
  ]);
  const accuracy = [
    { x: 1, y: 0.5 },
    { x: 2, y: 0.8 },
    { x: 3, y: 0.7 },
  ];
  expect(staircase(accuracy, { x: 'minimize', y: 'maximize' })).toEqual([
    { x: 1, y: 0.5 },
    { x: 2, y: 0.5 },
    { x: 2, y: 0.8 },
  ]);
  expect(staircase([], { x: 'minimize', y: 'minimize' })).toEqual([]);
});
