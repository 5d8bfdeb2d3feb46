import { Rng } from './rng';

describe('Rng', () => {
  test('the same seed gives the same sequence; different seeds differ', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  test('state save and restore resumes the sequence exactly', () => {
    const a = new Rng(7);
    a.next();
    const state = a.getState();
    const expected = [a.next(), a.normal(), a.int(10)];
    const b = new Rng(0);
    b.setState(state);
    expect([b.next(), b.normal(), b.int(10)]).toEqual(expected);
  });

  test('uniform and normal have the right moments', () => {
    const r = new Rng(1);
    const n = 20000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      su += r.next();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 1);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  test('int rejects a bad bound', () => {
    expect(() => new Rng(1).int(0)).toThrow('Rng.int needs a positive integer bound, got 0');
  });
});
