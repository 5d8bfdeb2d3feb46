/**
 * End to end: a small network trained with AdamW, where every step is one session run
 * returning the loss and all gradients, learns a synthetic task.
 */
import { AdamW, F, Graph, gradients, Rng, Runtime, Tensor, warmupCosine } from './index';

const N = 256;
const HIDDEN = 32;

/** Three classes by the angle of a 2-D point, on a ring: learnable by an MLP, not by a linear model. */
function dataset(rng: Rng): { x: Tensor<'float32'>; y: Tensor<'int64'> } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < N; i++) {
    const angle = rng.uniform(0, 2 * Math.PI);
    const radius = rng.uniform(0.5, 1.5);
    xs.push(radius * Math.cos(angle), radius * Math.sin(angle));
    ys.push(Math.floor((angle / (2 * Math.PI)) * 3));
  }
  return { x: Tensor.from('float32', [N, 2], xs), y: Tensor.from('int64', [N], ys) };
}

test('an MLP trained with AdamW drives its loss down by more than 90%', async () => {
  const rng = new Rng(1);
  const shapes: Record<string, number[]> = { w1: [2, HIDDEN], b1: [HIDDEN], w2: [HIDDEN, HIDDEN], b2: [HIDDEN], w3: [HIDDEN, 3], b3: [3] };
  const params: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const fanIn = shape.length === 2 ? shape[0] : 0;
    params[name] = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (fanIn ? rng.normal(0, 1 / Math.sqrt(fanIn)) : 0));
  }

  const g = new Graph('mlp');
  const x = g.input('x', 'float32', ['N', 2]);
  const labels = g.input('labels', 'int64', ['N']);
  const p = Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, g.input(name, 'float32', shape)]));
  let h = F.gelu(F.add(F.matmul(x, p.w1), p.b1)); // [N, H]
  h = F.gelu(F.add(F.matmul(h, p.w2), p.b2)); // [N, H]
  const logits = F.add(F.matmul(h, p.w3), p.b3); // [N, 3]
  const loss = F.crossEntropy(logits, labels);
  const names = Object.keys(shapes);
  const grads = gradients(loss, names.map((n) => p[n]));
  g.output({ loss }, Object.fromEntries(names.map((n, i) => [`grad_${n}`, grads[i]])));

  const runtime = new Runtime({ intraOpThreads: 1 });
  const step = await runtime.compile(g);
  const { x: xs, y: ys } = dataset(rng);
  const steps = 300;
  const schedule = warmupCosine({ peakLr: 0.02, warmupSteps: 20, totalSteps: steps, minLr: 0.002 });
  const optimizer = new AdamW(params, { weightDecay: 0 });
  const feeds = { x: xs, labels: ys, ...Object.fromEntries(names.map((n) => [n, new Tensor('float32', shapes[n], params[n])])) };
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const out = await step.run(feeds);
    losses.push(Number(out.loss.data[0]));
    optimizer.step(Object.fromEntries(names.map((n) => [n, out[`grad_${n}`].data as Float32Array])), schedule(s));
  }
  await runtime.dispose();
  console.log(`loss: first ${losses[0].toFixed(4)}, last ${losses[steps - 1].toFixed(4)} (${((1 - losses[steps - 1] / losses[0]) * 100).toFixed(1)}% lower)`);
  expect(losses[steps - 1]).toBeLessThan(0.1 * losses[0]);
});
