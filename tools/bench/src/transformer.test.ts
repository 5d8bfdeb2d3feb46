import { DEFAULT_CONFIG, forwardFlops, forwardGraph, parameterCount, stepFlops, trainingGraph, weightSpecs } from './transformer';

describe('benchmark transformer', () => {
  const c = DEFAULT_CONFIG;

  it('counts parameters like GPT-2 with a tied head', () => {
    const d = c.dModel;
    const perLayer = 12 * d * d + 13 * d; // qkv, o, fc, proj weights and biases, 2 LayerNorms
    expect(parameterCount(c)).toBe(c.vocab * d + c.seq * d + c.layers * perLayer + 2 * d);
  });

  it('counts the matmul FLOPs analytically', () => {
    const tokens = c.batch * c.seq;
    const matmulParams = c.layers * 12 * c.dModel * c.dModel + c.vocab * c.dModel;
    const attention = c.layers * 2 * 2 * c.batch * c.heads * c.seq * c.seq * (c.dModel / c.heads);
    expect(forwardFlops(c)).toBe(2 * matmulParams * tokens + attention);
    expect(forwardFlops(c)).toBe(503_316_480);
    expect(stepFlops(c)).toBe(3 * forwardFlops(c));
  });

  it('feeds every weight as a graph input and outputs the loss', () => {
    const g = forwardGraph(c);
    expect(g.initializers.size).toBeGreaterThan(0); // the mask and small constants only
    expect(g.inputs.map((v) => v.name)).toEqual(['tokens', 'targets', ...weightSpecs(c).map((s) => s.name)]);
    expect(g.outputs.map((v) => v.name)).toEqual(['loss']);
    expect(g.outputs[0].shape).toEqual([]);
  });

  it('outputs a gradient of the same shape for every weight in the training graph', () => {
    const g = trainingGraph(c);
    const byName = new Map(g.outputs.map((v) => [v.name, v]));
    for (const s of weightSpecs(c)) expect(byName.get(`grad.${s.name}`)?.shape).toEqual(s.shape);
  });
});
