import { Rng } from '@carve/engine';
import { Domain, Evaluated } from '../strategy';
import { localSearch } from './local-search';

/** The integers 0 … 9 on a line, each the neighbour of the next. */
const line: Domain<number> = {
  name: 'line',
  dimensions: 1,
  encode: (x) => [x / 9],
  decode: (v) => Math.round(v[0] * 9),
  key: String,
  sample: (rng) => rng.int(10),
  neighbours: (x) => [x - 1, x + 1].filter((y) => y >= 0 && y <= 9),
  anchors: () => [],
  size: () => 10n,
};

const result = (x: number, point: number[], violation = 0): Evaluated<number> => ({ choice: x, key: String(x), point, violation });

test.each(['uniform', 'least-explored'] as const)('%s: proposes unvisited neighbours of the archive, then samples', (pick) => {
  const strategy = localSearch({ domain: line, objectives: 2, rng: new Rng(1), budget: 10 }, { pick });
  // 5 is the only non-dominated member; 2 is dominated and never expanded.
  strategy.tell(result(5, [0, 0]));
  strategy.tell(result(2, [1, 1]));
  const first = [strategy.ask(), strategy.ask()].sort();
  expect(first).toEqual([4, 6]);
  // Its neighbours are all proposed: a random sample follows.
  expect(typeof strategy.ask()).toBe('number');
});

test('a feasible result displaces infeasible ones; among infeasible ones the least violation leads', () => {
  const strategy = localSearch({ domain: line, objectives: 2, rng: new Rng(2), budget: 10 }, { pick: 'least-explored' });
  strategy.tell(result(0, [0, 0], 0.5));
  strategy.tell(result(9, [5, 5], 0.1));
  expect(strategy.ask()).toBe(8);
  strategy.tell(result(3, [9, 9]));
  expect([2, 4]).toContain(strategy.ask());
});
