import { assertGradients, F, Graph, gradients, Runtime, Tensor, Value } from './index';

describe('autodiff', () => {
  test('fan-out: a value used several times accumulates every contribution', async () => {
    // f(x) = x·x + exp(x)·x + x: three uses of x in two nodes each.
    await assertGradients({
      name: 'fan-out',
      dtype: 'float64',
      inputs: { x: { shape: [3, 2] } },
      build: ({ x }) => F.add(F.add(F.mul(x, x), F.mul(F.exp(x), x)), x),
    });
  });

  test('a stop-gradient cuts the path: d/dx [x · stop(x)] = stop(x)', async () => {
    const g = new Graph();
    const x = g.input('x', 'float64', [3]);
    const loss = F.reduceSum(F.mul(x, F.stopGradient(x)));
    const [dx] = gradients(loss, [x]);
    g.output({ dx });
    const rt = new Runtime();
    const out = await (await rt.compile(g)).run({ x: Tensor.from('float64', [3], [1, -2, 3]) });
    expect(out.dx.toNumbers()).toEqual([1, -2, 3]); // not 2x
    await rt.dispose();
  });

  test('integer inputs on the path (indices) carry no gradient and do not fail', async () => {
    await assertGradients({
      name: 'gather-then-scale',
      dtype: 'float64',
      inputs: { table: { shape: [5, 3] }, ids: { shape: [4], dtype: 'int64', values: [0, 3, 3, 1] } },
      build: ({ table, ids }) => F.mul(F.gather(table, ids), F.cast(F.reshape(F.cast(ids, 'float64'), [4, 1]), 'float64')),
    });
  });

  test('a loss independent of a value fails, or gives zeros with allowUnused', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const y = g.input('y', 'float32', [2]);
    const loss = F.reduceSum(F.mul(x, x));
    expect(() => gradients(loss, [y])).toThrow("the loss does not depend on 'y' (float32 [2]); pass { allowUnused: true } to get zeros instead");
    const [dy] = gradients(loss, [y], { allowUnused: true });
    g.output({ dy });
    const rt = new Runtime();
    const out = await (await rt.compile(g)).run({ x: Tensor.from('float32', [2], [1, 2]), y: Tensor.from('float32', [2], [3, 4]) });
    expect(out.dy.toNumbers()).toEqual([0, 0]);
    await rt.dispose();
  });

  test('an operator without a gradient on the path is named with its reason', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const loss = F.reduceSum(F.sign(x));
    expect(() => gradients(loss, [x])).toThrow(/node 'Sign_\d+' \(Sign\): has no gradient \(sign is piecewise constant/);
  });

  test('the loss must be a float scalar', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    expect(() => gradients(F.mul(x, 2), [x])).toThrow(/the loss must be a float scalar, got 'Mul_\d+:0' \(float32 \[2\]\)/);
  });

  test('only nodes between wrt and the loss are differentiated', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [4]);
    const b = g.input('b', 'float32', [4]);
    const loss = F.reduceSum(F.add(F.exp(a), F.tanh(b)));
    const before = g.nodes.length;
    gradients(loss, [a]);
    const added = g.nodes.slice(before).map((n) => n.op);
    expect(added).not.toContain('Tanh'); // no gradient work for b's branch
  });
});

describe('custom gradients', () => {
  test("a region's own gradient replaces the chain rule through its nodes", async () => {
    // A straight-through round: forward computes x·x, the region says its gradient is dY.
    const g = new Graph();
    const x = g.input('x', 'float64', [3]);
    const [y] = F.customGradient('straight-through', [x], () => [F.mul(x, x)], ([dY]) => [dY!]);
    const [dx] = gradients(F.reduceSum(F.mul(y, 3)), [x]);
    g.output({ y, dx });
    const rt = new Runtime();
    const out = await (await rt.compile(g)).run({ x: Tensor.from('float64', [3], [1, 2, 3]) });
    await rt.dispose();
    expect(out.y.toNumbers()).toEqual([1, 4, 9]);
    expect(out.dx.toNumbers()).toEqual([3, 3, 3]);
  });

  test('a correct custom gradient passes the finite-difference check, inside a larger graph', async () => {
    await assertGradients({
      name: 'softmax-weighted values with a custom gradient',
      dtype: 'float64',
      inputs: { s: { shape: [2, 4] }, v: { shape: [4, 3] } },
      build: ({ s, v }) => {
        let p!: Value;
        const [o] = F.customGradient(
          'attention-core',
          [s, v],
          () => {
            p = F.softmax(s, -1);
            return [F.matmul(p, v)];
          },
          ([dO]) => {
            const o = F.matmul(p, v);
            const dP = F.matmul(dO!, F.transpose(v, [1, 0]));
            const d = F.reduceSum(F.mul(dO!, o), [-1], true); // rowsum(dP ⊙ P) = rowsum(dO ⊙ O)
            return [F.mul(p, F.sub(dP, d)), F.matmul(F.transpose(p, [1, 0]), dO!)];
          },
        );
        return F.tanh(o);
      },
    });
  });

  test('a value made inside a region may not reach the loss around its outputs', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    let inner!: Value;
    const [y] = F.customGradient('leaky', [x], () => {
      inner = F.exp(x);
      return [F.mul(inner, 2)];
    }, ([dY]) => [dY!]);
    expect(() => gradients(F.reduceSum(F.add(y, inner)), [x])).toThrow(/custom gradient 'leaky': 'Exp_\d+:0' \(float32 \[2\]\) is made inside the region but reaches the loss outside its outputs/);
  });
});
