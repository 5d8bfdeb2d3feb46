import { Rng } from '@carve/engine';
import { continuousDomain } from '../domains';
import { Evaluated } from '../strategy';
import { nsga2, rankAndCrowding } from './nsga2';

const OPTIONS = { population: 4, crossoverProbability: 0.9, etaC: 15, etaM: 20 };

test('rank and crowding: constrained fronts, extremes of each front infinitely far', () => {
  const members = [[0, 2], [1, 1], [2, 0], [3, 3], [0, 0]].map((point, i): Evaluated<number> => ({ choice: i, key: String(i), point, violation: i === 4 ? 1 : 0 }));
  const { rank, crowding } = rankAndCrowding(members);
  expect(rank).toEqual([0, 0, 0, 1, 2]);
  expect(crowding).toEqual([Infinity, 2, Infinity, Infinity, Infinity]);
});

test('samples until the first generation is told, then breeds generation by generation from the best', () => {
  const domain = continuousDomain(2);
  const strategy = nsga2({ domain, objectives: 2, rng: new Rng(1), budget: 100 }, OPTIONS);
  const tell = (x: number[]) => strategy.tell({ choice: x, key: domain.key(x), point: [x[0], 1 - x[0] + 10 * x[1]], violation: 0 });
  for (let i = 0; i < 4; i++) tell(strategy.ask());
  // Parents on the line x1 = 0 dominate everything else: their children stay near it.
  for (let g = 0; g < 30; g++) for (let i = 0; i < 4; i++) tell(strategy.ask());
  const children = Array.from({ length: 4 }, () => strategy.ask());
  expect(children.every((x) => x[1] < 0.1)).toBe(true);
});
