import { Rng } from '@carve/engine';
import { presetConfig } from '@carve/model';
import { jointSpace } from '@carve/search-space';
import { continuousDomain, subNetworkDomain } from './domains';

describe('subNetworkDomain', () => {
  const space = jointSpace(presetConfig('stories260K'));
  const domain = subNetworkDomain(space);

  test('encodes through the space and keys sub-networks by content, whatever the field order', () => {
    const s = space.sample(new Rng(1));
    expect(domain.decode(domain.encode(s))).toEqual(s);
    expect(domain.dimensions).toBe(domain.encode(s).length);
    const reordered = { layers: s.layers.map((l) => ({ mlpHidden: l.mlpHidden, heads: l.heads, index: l.index })), headSize: s.headSize, embedDim: s.embedDim };
    expect(domain.key(reordered)).toBe(domain.key(s));
    expect(domain.key(JSON.parse(JSON.stringify(s)))).toBe(domain.key(s));
    expect(domain.size?.()).toBe(1120n);
  });

  test('anchors are the largest, the smallest and the middle member, without repeats', () => {
    const anchors = domain.anchors();
    expect(anchors.slice(0, 2)).toEqual([space.largest(), space.smallest()]);
    expect(anchors[2]).toEqual(space.decode(new Array<number>(domain.dimensions).fill(0.5)));
    expect(new Set(anchors.map(domain.key)).size).toBe(anchors.length);
  });

  test('neighbours and samples are members of the space', () => {
    const rng = new Rng(2);
    const s = domain.sample(rng);
    expect(space.issues(s)).toEqual([]);
    expect(domain.neighbours(s, rng)).toEqual(space.neighbours(s));
  });
});

describe('continuousDomain', () => {
  const domain = continuousDomain(5, { step: 0.1 });

  test('encodes as itself, clamped to the box', () => {
    expect(domain.decode([-1, 0.25, 2, 1, 0])).toEqual([0, 0.25, 1, 1, 0]);
    expect(domain.encode([0.5, 0.5, 0.5, 0.5, 0.5])).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(domain.anchors()).toEqual([[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5]]);
    expect(domain.size).toBeUndefined();
  });

  test('neighbours move one to three coordinates by small steps, never to x itself', () => {
    const rng = new Rng(3);
    const x = domain.sample(rng);
    for (let t = 0; t < 100; t++) {
      for (const y of domain.neighbours(x, rng)) {
        const moved = y.filter((v, i) => v !== x[i]).length;
        expect(moved).toBeGreaterThanOrEqual(1);
        expect(moved).toBeLessThanOrEqual(3);
        expect(y.every((v, i) => Math.abs(v - x[i]) < 0.6 && v >= 0 && v <= 1)).toBe(true);
      }
    }
    expect(domain.neighbours([0, 0, 0, 0, 0], new Rng(1)).every((y) => domain.key(y) !== '[0,0,0,0,0]')).toBe(true);
  });

  test('is deterministic under a seed and refuses bad sizes', () => {
    expect(domain.sample(new Rng(7))).toEqual(domain.sample(new Rng(7)));
    expect(() => continuousDomain(0)).toThrow('continuousDomain: dimensions must be a positive integer (got 0)');
    expect(() => continuousDomain(2, { step: 0 })).toThrow('continuousDomain: step must be a positive number (got 0)');
  });
});
