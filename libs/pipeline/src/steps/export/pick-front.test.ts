import { SubNetwork } from '@carve/model';
import { FrontPoint, pickFrontMembers } from './pick-front';

const sub = (embedDim: number): SubNetwork => ({ embedDim, headSize: 2, layers: [{ index: 0, heads: 2, mlpHidden: 4 }] });
/** Seven members, given out of order: loss falls as parameters grow. */
const front: FrontPoint[] = [3, 0, 6, 1, 5, 2, 4].map((i) => ({ subNetwork: sub(i + 1), objectives: { loss: 10 - i, latency: i }, params: 1000 * (i + 1) * 3 }));

test('keeps both extremes of the first objective and spreads the rest evenly by its rank', () => {
  const picked = pickFrontMembers(front, 3);
  expect(picked.map((m) => m.objectives!.loss)).toEqual([4, 7, 10]); // ranks 0, 3, 6 by loss
  expect(picked.map((m) => m.name)).toEqual(['m0-21k', 'm1-12k', 'm2-3.0k']);
  expect(picked[0].subNetwork).toEqual(sub(7));
  expect(pickFrontMembers(front, 4).map((m) => m.objectives!.loss)).toEqual([4, 6, 8, 10]); // ranks 0, 2, 4, 6
});

test('two keeps the extremes, one the first, and a small front is kept whole in order', () => {
  expect(pickFrontMembers(front, 2).map((m) => m.objectives!.loss)).toEqual([4, 10]);
  expect(pickFrontMembers(front, 1).map((m) => m.objectives!.loss)).toEqual([4]);
  expect(pickFrontMembers(front, 7).map((m) => m.objectives!.loss)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  expect(pickFrontMembers(front, 50)).toHaveLength(7);
  expect(pickFrontMembers([], 3)).toEqual([]);
});

test('names are distinct even when parameters repeat', () => {
  const same = front.map((p) => ({ ...p, params: 260032 }));
  expect(pickFrontMembers(same, 3).map((m) => m.name)).toEqual(['m0-260k', 'm1-260k', 'm2-260k']);
  expect(() => pickFrontMembers(front, 0)).toThrow(/max must be a positive integer/);
});
