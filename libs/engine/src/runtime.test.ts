import { F, Graph, Runtime, Tensor } from './index';

function doubler(name = 'double'): Graph {
  const g = new Graph(name);
  const x = g.input('x', 'float32', ['N']);
  g.output({ y: F.mul(x, 2) });
  return g;
}

describe('Runtime', () => {
  test('caches one session per distinct graph content', async () => {
    const rt = new Runtime();
    const a = await rt.compile(doubler());
    const b = await rt.compile(doubler());
    expect(b).toBe(a);
    expect(rt.size).toBe(1);
    const g = new Graph('triple');
    g.output({ y: F.mul(g.input('x', 'float32', ['N']), 3) });
    await rt.compile(g);
    expect(rt.size).toBe(2);
    await rt.dispose();
    expect(rt.size).toBe(0);
  });

  test('runs with the given typed array and returns tensors by output name', async () => {
    const rt = new Runtime({ intraOpThreads: 2 });
    const s = await rt.compile(doubler());
    const out = await s.run({ x: Tensor.from('float32', [3], [1, 2, 3]) });
    expect(out.y.dtype).toBe('float32');
    expect(out.y.shape).toEqual([3]);
    expect(out.y.toNumbers()).toEqual([2, 4, 6]);
    await rt.dispose();
  });

  test('without the memory arena (and, by default, its memory patterns) runs give the same results, repeatedly', async () => {
    expect(new Runtime().options).toMatchObject({ memoryArena: true, memoryPattern: true });
    expect(new Runtime({ memoryArena: false }).options).toMatchObject({ memoryArena: false, memoryPattern: false });
    expect(new Runtime({ memoryArena: false, memoryPattern: true }).options).toMatchObject({ memoryArena: false, memoryPattern: true });
    const rt = new Runtime({ memoryArena: false });
    const s = await rt.compile(doubler());
    for (const n of [3, 1000, 3]) {
      const out = await s.run({ x: Tensor.from('float32', [n], Array.from({ length: n }, (_, i) => i)) });
      expect(out.y.toNumbers()).toEqual(Array.from({ length: n }, (_, i) => 2 * i));
    }
    await rt.dispose();
  });

  test('bad feeds are reported together, before running', async () => {
    const rt = new Runtime();
    const g = new Graph('two');
    const x = g.input('x', 'float32', ['N', 2]);
    const i = g.input('i', 'int64', ['N']);
    g.output({ y: F.gather(x, i) });
    const s = await rt.compile(g);
    await expect(s.run({ x: Tensor.from('float64', [1, 2], [1, 2]), z: Tensor.zeros('float32', [1]) })).rejects.toThrow(
      "graph 'two': input 'x' must be float32, got float64; missing input 'i' (int64 [N]); unexpected input 'z'",
    );
    await expect(s.run({ x: Tensor.zeros('float32', [1, 3]), i: Tensor.zeros('int64', [1]) })).rejects.toThrow(
      "input 'x' must have shape [N, 2], got [1, 3]",
    );
    await rt.dispose();
  });

  test('a disposed graph cannot run, and compiling again gives a fresh session', async () => {
    const rt = new Runtime();
    const s = await rt.compile(doubler());
    await s.dispose();
    await expect(s.run({ x: Tensor.zeros('float32', [1]) })).rejects.toThrow("graph 'double' was disposed");
    const again = await rt.compile(doubler());
    expect(again).not.toBe(s);
    await rt.dispose();
  });
});
