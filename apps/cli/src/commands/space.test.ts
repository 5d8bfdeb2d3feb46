import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../main';

/** Runs the CLI in-process and captures what it writes. */
async function carve(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('carve space show', () => {
  test('the joint space of stories260K: dimensions, size, smallest and largest with parameter counts', async () => {
    const { code, stdout, stderr } = await carve('space', 'show', '--preset', 'stories260K');
    expect([code, stderr]).toEqual([0, '']);
    const space = JSON.parse(stdout);
    expect(space).toMatchObject({ model: { name: 'stories260K', preset: 'stories260K', parameters: 260032 }, space: 'joint', layerOrder: [0, 1, 2, 3, 4], exportRule: null, size: '1120' });
    expect(space.dimensions).toEqual([
      { name: 'embedDim', scope: 'global', values: [16, 24, 32, 40, 48, 56, 64] },
      { name: 'heads', scope: 'global', values: [4, 8] },
      { name: 'headSize', scope: 'global', values: [2, 4, 6, 8] },
      { name: 'mlpHidden', scope: 'global', values: [43, 86, 129, 172] },
      { name: 'depth', scope: 'global', values: [1, 2, 3, 4, 5] },
    ]);
    expect(space.smallest).toEqual({ params: 10816, subNetwork: { embedDim: 16, headSize: 2, layers: [{ index: 0, heads: 4, mlpHidden: 43 }] } });
    expect(space.largest.params).toBe(260032);
    expect(space.largest.subNetwork.layers).toHaveLength(5);
  });

  test('space options, a layer order and the layer-wise space (its size as a string: it can pass 2^53)', async () => {
    const joint = JSON.parse((await carve('space', 'show', '--preset', 'stories260K', '--space-options', '{"minDepth":3}', '--layer-order', '0,1,4,2,3')).stdout);
    expect(joint).toMatchObject({ options: { minDepth: 3 }, layerOrder: [0, 1, 4, 2, 3], layerOrderFrom: '--layer-order', size: String(7 * 2 * 4 * 4 * 3) });
    expect(joint.smallest.subNetwork.layers.map((l: { index: number }) => l.index)).toEqual([0, 1, 4]);
    const layerwise = JSON.parse((await carve('space', 'show', '--preset', 'stories260K', '--space', 'layerwise')).stdout);
    expect(layerwise.dimensions.map((d: { scope: string }) => d.scope)).toEqual(['global', 'layer', 'global', 'layer', 'global']);
    expect(layerwise.size).toBe(String(7 * 4 * [1, 2, 3, 4, 5].reduce((sum, d) => sum + 8 ** d, 0)));
  });

  test('--importance takes the layer order of an importance.json', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-space-'));
    fs.writeFileSync(path.join(dir, 'importance.json'), JSON.stringify({ orders: { layers: [4, 3, 2, 1, 0] } }));
    const space = JSON.parse((await carve('space', 'show', '--preset', 'stories260K', '--importance', dir)).stdout);
    expect(space).toMatchObject({ layerOrder: [4, 3, 2, 1, 0], layerOrderFrom: path.join(dir, 'importance.json') });
    fs.rmSync(dir, { recursive: true });
  });

  test("JSON errors quote line breaks escaped: an indented importance.json, options typed over lines (found by tools/fuzz)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-space-'));
    const file = path.join(dir, 'importance.json');
    fs.writeFileSync(file, '{\n  "orders": {\n    "layers": [4, 3,\n  }\n}\n');
    for (const argv of [['--importance', file], ['--space-options', '{\n  minDepth: 2\n}']]) {
      const { code, stderr } = await carve('space', 'show', '--preset', 'stories260K', ...argv);
      expect(code).toBe(2);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/not valid JSON \(.*\\n/); // the break escaped, in the quote of the text or of the option
    }
    fs.rmSync(dir, { recursive: true });
  });

  test('an importance.json of another model is reported naming the file (found by tools/fuzz)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-space-'));
    const file = path.join(dir, 'importance.json');
    fs.writeFileSync(file, JSON.stringify({ orders: { layers: [1, 0] } }));
    const { code, stderr } = await carve('space', 'show', '--preset', 'stories260K', '--importance', file);
    expect([code, stderr]).toEqual([2, `carve: --importance ${file}: "orders.layers" [1,0] is not an order of the model's 5 layers (each of 0..4 once); give the importance.json written for this model\n`]);
    fs.rmSync(dir, { recursive: true });
  });

  const cases: [string, string[], RegExp][] = [
    ['an unknown space', ['--preset', 'stories260K', '--space', 'diagonal'], /^carve: unknown search-space plugin "diagonal" \(search-space plugins: explicit, joint, layerwise\)$/],
    ['space options that are not JSON', ['--preset', 'stories260K', '--space-options', '{minDepth:2}'], /^carve: --space-options: not valid JSON \(.*\): \{minDepth:2\}$/],
    ['every invalid space option at once', ['--preset', 'stories260K', '--space-options', '{"minDepth":0,"heads":[],"depht":[1]}'], /^carve: search-space 'joint' options: depht: unknown option \(options: .*\); heads: must have at least 1 items? \(got \[\]\); minDepth: must be > 0 \(got 0\)$/],
    ['a layer order that is not a permutation', ['--preset', 'stories260K', '--layer-order', '0,1,1,2'], /^carve: search-space\/joint@1\.0\.0: joint space for 'stories260K': layerOrder: \[0, 1, 1, 2\] is not a permutation of the layers 0\.\.4 \(repeated: 1; missing: 3, 4\)$/],
    ['no model and two layer orders', ['--layer-order', 'a', '--importance', 'nope.json'], /^carve: give the model: --checkpoint PATH or --preset NAME; give --layer-order or --importance, not both; --layer-order a: expected .*; --importance nope\.json: no such file$/],
    ['an unknown preset', ['--preset', 'gpt5'], /^carve: --preset gpt5: unknown \(known: .*stories260K.*\)$/],
  ];
  test.each(cases)('%s: exit 2, one line', async (_what, argv, message) => {
    const { code, stdout, stderr } = await carve('space', 'show', ...argv);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
  });
});
