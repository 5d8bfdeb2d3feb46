import { F, Graph, gradients, Runtime, Tensor } from './index';

test('smoke', async () => {
  const g = new Graph('smoke');
  const x = g.input('x', 'float32', ['B', 3]);
  const w = g.input('w', 'float32', [3, 2]);
  const y = F.matmul(x, w);
  const loss = F.reduceMean(F.mul(y, y));
  const [dw] = gradients(loss, [w]);
  g.output(loss, dw);
  const rt = new Runtime();
  const s = await rt.compile(g);
  const out = await s.run({ x: Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]), w: Tensor.from('float32', [3, 2], [1, 0, 0, 1, 1, 1]) });
  console.log(out);
  await rt.dispose();
});
