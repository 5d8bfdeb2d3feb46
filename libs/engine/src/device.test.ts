import { F, Graph, isUserError, probeCuda, resolveDevice, Runtime, Tensor, UserError } from './index';

describe('resolveDevice', () => {
  test("'cpu' runs on the CPU provider alone, probing nothing, and a graph runs there", async () => {
    const cpu = await resolveDevice('cpu');
    expect(cpu).toEqual({ requested: 'cpu', provider: 'cpu', executionProviders: ['cpu'], description: expect.stringMatching(/^CPU: .+, \d+ cores$/) });
    const runtime = new Runtime({ executionProviders: cpu.executionProviders });
    const g = new Graph('double');
    g.output({ y: F.mul(g.input('x', 'float32', ['N']), 2) });
    const out = await (await runtime.compile(g)).run({ x: Tensor.from('float32', [2], [1, 2]) });
    expect(out.y.toNumbers()).toEqual([2, 4]);
    expect(runtime.options.executionProviders).toEqual(['cpu']);
    await runtime.dispose();
  });

  test("'auto' takes CUDA exactly when the probe finds it working", async () => {
    const probe = await probeCuda();
    const auto = await resolveDevice('auto');
    expect(auto.requested).toBe('auto');
    if (probe.available) expect(auto).toMatchObject({ provider: 'cuda', executionProviders: ['cuda', 'cpu'], description: probe.description });
    else expect(auto).toMatchObject({ provider: 'cpu', executionProviders: ['cpu'], description: (await resolveDevice('cpu')).description });
  });

  test("'cuda' where the probe finds no CUDA is one line saying why and what to do", async () => {
    const probe = await probeCuda();
    if (probe.available) {
      console.log(`CUDA is available here (${probe.description}): the unavailable-CUDA error is not checked`);
      expect(await resolveDevice('cuda')).toMatchObject({ requested: 'cuda', provider: 'cuda', executionProviders: ['cuda', 'cpu'] });
      return;
    }
    const error = await resolveDevice('cuda').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUserError(error)).toBe(true);
    const e = error as UserError;
    expect(e.code).toBe('device_unavailable');
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain(`device cuda is not available: ${probe.reason}; ${probe.advice}`);
    expect(e.message).toMatch(/or use device cpu$/);
  });

  test('an unknown device is a UserError naming the known ones', async () => {
    await expect(resolveDevice('gpu' as never)).rejects.toThrow("device 'gpu': unknown (known: auto, cpu, cuda)");
  });
});

test('the probe runs once per process: every call gets the same promise', async () => {
  const first = probeCuda();
  expect(probeCuda()).toBe(first);
  const result = await first;
  expect(await probeCuda()).toBe(result);
  console.log(`CUDA probe: ${JSON.stringify(result)}`);
});
