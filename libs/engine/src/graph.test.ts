import { F, Graph, GraphBuildError, gradients, Tensor } from './index';

describe('graph building: bad input fails at build time, naming the node', () => {
  test('mismatched shapes', () => {
    const g = new Graph('bad');
    const x = g.input('x', 'float32', ['B', 16]);
    const w = g.input('w', 'float32', [8, 4]);
    g.withScope('layer0', () => {
      expect(() => F.matmul(x, w)).toThrow(
        "node 'layer0/MatMul_0' (MatMul): cannot multiply [B, 16] by [8, 4]: inner dimensions 16 and 8 differ; inputs: float32 [B, 16], float32 [8, 4]",
      );
    });
    expect(() => F.add(x, g.input('y', 'float32', [3]))).toThrow(/node 'Add_\d+' \(Add\): cannot broadcast \[B, 16\] with \[3\]/);
  });

  test('an unknown operator', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    expect(() => g.op('FancyAttention', [x])).toThrow(/node 'FancyAttention_\d+' \(FancyAttention\): unknown operator 'FancyAttention'/);
  });

  test('a gradient asked of an integer tensor names its producer', () => {
    const g = new Graph();
    const ids = g.input('ids', 'int64', ['B', 'T']);
    const table = g.input('table', 'float32', [10, 4]);
    const shape = F.shapeOf(table);
    const loss = F.reduceSum(F.gather(table, ids));
    expect(() => gradients(loss, [ids])).toThrow("cannot differentiate with respect to 'ids' (int64 [B, T]), a graph input: only float32 and float64 tensors carry gradients");
    expect(() => gradients(loss, [shape])).toThrow(/output of node 'Shape_\d+' \(Shape\)/);
  });

  test('wrong element types, arity and attributes', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3]);
    const i = g.input('i', 'int64', [2, 3]);
    expect(() => F.add(x, i)).toThrow('inputs A and B must have the same element type, got float32 and int64');
    expect(() => g.op('Add', [x])).toThrow("takes 2 inputs (A, B), got 1");
    expect(() => g.op('Softmax', [x], { axes: 1 })).toThrow("unknown attribute 'axes' (known: axis)");
    expect(() => g.op('Softmax', [x], { axis: 0.5 })).toThrow("attribute 'axis' must be int, got 0.5");
    expect(() => F.exp(i)).toThrow("input 'X' must be float32 or float64, got int64");
  });

  test('values from another graph and duplicate names are rejected', () => {
    const a = new Graph('a');
    const b = new Graph('b');
    const x = a.input('x', 'float32', [1]);
    const y = b.input('y', 'float32', [1]);
    expect(() => F.add(x, y)).toThrow("belongs to graph 'b', not 'a'");
    expect(() => a.input('x', 'float32', [1])).toThrow("graph 'a': the name 'x' is already used");
  });

  test('the thrown error is a GraphBuildError carrying node and op', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3]);
    try {
      F.reshape(x, [4, 2]);
      throw new Error('expected a failure');
    } catch (e) {
      expect(e).toBeInstanceOf(GraphBuildError);
      expect((e as GraphBuildError).op).toBe('Reshape');
      expect((e as GraphBuildError).message).toContain('cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)');
    }
  });
});

describe('shape inference follows symbolic dimensions', () => {
  test('reshape [B, T, C] -> [B*T, C] -> [B, T, nh, hs] -> transpose', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['B', 'T', 8]);
    const flat = F.flattenRows(x);
    expect(flat.shape).toEqual(['B*T', 8]);
    const heads = F.reshape(flat, ['B', 'T', 2, 4]);
    expect(heads.shape).toEqual(['B', 'T', 2, 4]);
    expect(F.transpose(heads, [0, 2, 1, 3]).shape).toEqual(['B', 2, 'T', 4]);
  });

  test('constants are shared per value and graph outputs can be named', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    F.mul(x, 2);
    F.add(x, 2);
    expect(g.initializers.size).toBe(1);
    const [named] = g.output({ y: F.mul(x, 3) });
    expect(named.name).toBe('y');
    expect(g.outputs.map((v) => v.name)).toEqual(['y']);
    expect([...g.initializers.values()].map((t: Tensor) => t.toNumbers()[0]).sort()).toEqual([2, 3]);
  });
});

describe('positions from a symbolic length', () => {
  test('range(T) follows the input that declared T', async () => {
    const { Runtime } = await import('./index');
    const g = new Graph();
    const tokens = g.input('tokens', 'int64', ['B', 'T']);
    const positions = F.range(g, 'T');
    expect(positions.shape).toEqual(['T']);
    g.output({ positions, n: F.add(positions, F.reduceSum(tokens)) });
    const runtime = new Runtime();
    const out = await (await runtime.compile(g)).run({ tokens: Tensor.from('int64', [2, 4], [0, 0, 0, 0, 0, 0, 0, 1]) });
    expect(out.positions.toNumbers()).toEqual([0, 1, 2, 3]);
    expect(out.n.toNumbers()).toEqual([1, 2, 3, 4]);
    await runtime.dispose();
  });
});
