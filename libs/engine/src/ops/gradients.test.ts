import { F, assertGradients } from '../index';

test('probe', async () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const r = await assertGradients({
      name: 'mlp', dtype,
      inputs: { x: { shape: [2, 3, 4] }, w: { shape: [4, 5] }, b: { shape: [5] } },
      build: ({ x, w, b }) => F.tanh(F.add(F.matmul(x, w), b)),
    });
    console.log(dtype, r.worst, r.where);
  }
});
