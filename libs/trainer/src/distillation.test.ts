import { assertGradients, Graph, gradients, Rng, Runtime, Tensor } from '@carve/engine';
import { DISTILLATION_KINDS, distillationLoss, DistillationKind } from './distillation';

const N = 3;
const V = 5;

/** The losses computed directly in float64, row by row: an independent reference. */
function reference(teacher: number[], student: number[], kind: DistillationKind, T: number): number {
  const softmax = (row: number[]) => {
    const m = Math.max(...row.map((v) => v / T));
    const e = row.map((v) => Math.exp(v / T - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const kl = (p: number[], q: number[]) => p.reduce((acc, pi, i) => acc + pi * Math.log(pi / q[i]), 0);
  let total = 0;
  for (let r = 0; r < N; r++) {
    const p = softmax(teacher.slice(r * V, (r + 1) * V));
    const q = softmax(student.slice(r * V, (r + 1) * V));
    const m = p.map((pi, i) => (pi + q[i]) / 2);
    total += kind === 'forward-kl' ? kl(p, q) : kind === 'reverse-kl' ? kl(q, p) : 0.5 * kl(p, m) + 0.5 * kl(q, m);
  }
  return (total / N) * T * T;
}

// The float64 graphs need the basic optimization level (see buildModelGraph's dtype).
const runtime = new Runtime({ optimizationLevel: 'basic' });
afterAll(() => runtime.dispose());

describe.each(DISTILLATION_KINDS)('%s', (kind) => {
  const rng = new Rng(3);
  const teacher = Array.from({ length: N * V }, () => rng.normal(0, 2));
  const student = Array.from({ length: N * V }, () => rng.normal(0, 2));

  test.each([1, 2])('matches a direct computation at temperature %d', async (T) => {
    const g = new Graph();
    const t = g.input('t', 'float64', [N, V]);
    const s = g.input('s', 'float64', [N, V]);
    g.output({ loss: distillationLoss(t, s, kind, T) });
    const out = await (await runtime.compile(g)).run({ t: Tensor.from('float64', [N, V], teacher), s: Tensor.from('float64', [N, V], student) });
    expect(Number(out.loss.data[0])).toBeCloseTo(reference(teacher, student, kind, T), 10);
  });

  test('its gradient w.r.t. the student matches finite differences', async () => {
    await assertGradients(
      {
        name: `${kind} distillation`,
        dtype: 'float64',
        inputs: { t: { shape: [N, V], values: teacher, differentiable: false }, s: { shape: [N, V], values: student } },
        build: ({ t, s }) => distillationLoss(t, s, kind, 2),
      },
      { runtime },
    );
  });

  test('the teacher gets no gradient', () => {
    const g = new Graph();
    const t = g.input('t', 'float32', [N, V]);
    const s = g.input('s', 'float32', [N, V]);
    expect(() => gradients(distillationLoss(t, s, kind), [t])).toThrow("the loss does not depend on 't'");
  });
});

test('identical logits cost nothing; a bad temperature is rejected', async () => {
  const g = new Graph();
  const t = g.input('t', 'float32', [2, 4]);
  g.output({ kl: distillationLoss(t, t, 'forward-kl'), js: distillationLoss(t, t, 'js') });
  const out = await (await runtime.compile(g)).run({ t: Tensor.from('float32', [2, 4], [1, 2, 3, 4, -1, 0, 1, 2]) });
  expect(Math.abs(Number(out.kl.data[0]))).toBeLessThan(1e-6);
  expect(Math.abs(Number(out.js.data[0]))).toBeLessThan(1e-6);
  expect(() => distillationLoss(t, t, 'forward-kl', 0)).toThrow('distillation temperature must be > 0, got 0');
});
