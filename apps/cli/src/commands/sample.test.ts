import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeWithAssets, STORIES260K } from '@carve/test-assets';
import { runCli } from '../main';

/** Runs the CLI in-process and captures what it writes. */
async function carve(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

interface Line {
  params: number;
  subNetwork: { embedDim: number; headSize: number; layers: { index: number; heads: number; mlpHidden: number }[] };
}

/** The JSON lines of a successful run. */
async function sample(...argv: string[]): Promise<Line[]> {
  const { code, stdout, stderr } = await carve('sample', ...argv);
  expect([code, stderr]).toEqual([0, '']);
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
}

const SMALLEST = 10816; // stories260K's joint space
const LARGEST = 260032;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-sample-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every built-in sampler that needs no weights, with the count it gives for --n 8. */
const SAMPLERS: [string, number][] = [
  ['random', 8],
  ['grid', 8],
  ['param-grid', 8],
  ['sandwich', 8],
];

describe('carve sample on the stories260K preset', () => {
  test.each(SAMPLERS)('%s: valid JSON lines with parameter counts; the same seed gives the same lines', async (sampler, count) => {
    const argv = ['--preset', 'stories260K', '--sampler', sampler, '--n', '8', '--seed', '3'];
    const lines = await sample(...argv);
    expect(lines).toHaveLength(count);
    for (const { params, subNetwork } of lines) {
      expect(params).toBeGreaterThanOrEqual(SMALLEST);
      expect(params).toBeLessThanOrEqual(LARGEST);
      expect(subNetwork.layers.length).toBeGreaterThanOrEqual(1);
    }
    expect(await sample(...argv)).toEqual(lines);
  });

  test('grid samplers run from the smallest to the largest; sandwich starts with the largest and smallest', async () => {
    const grid = (await sample('--preset', 'stories260K', '--sampler', 'grid', '--n', '5')).map((l) => l.params);
    expect(grid[0]).toBe(SMALLEST);
    expect(grid[grid.length - 1]).toBe(LARGEST);
    expect(grid).toEqual([...grid].sort((a, b) => a - b));
    const sandwich = (await sample('--preset', 'stories260K', '--sampler', 'sandwich', '--n', '4')).map((l) => l.params);
    expect(sandwich.slice(0, 2)).toEqual([LARGEST, SMALLEST]);
  });

  test('another seed, other draws; --sampler-options reach the sampler', async () => {
    const a = await sample('--preset', 'stories260K', '--n', '20', '--seed', '1');
    const b = await sample('--preset', 'stories260K', '--n', '20', '--seed', '2');
    expect(b).not.toEqual(a);
    expect(await sample('--preset', 'stories260K', '--sampler', 'param-grid', '--sampler-options', '{"bins":3}', '--n', '100')).toHaveLength(5); // 3 bins + both ends
  });

  test('--summary prints the histogram; --histogram writes its SVG', async () => {
    const svg = path.join(tmp, 'random.svg');
    const { code, stdout } = await carve('sample', '--preset', 'stories260K', '--n', '500', '--summary', '--histogram', svg, '--bins', '7');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ model: 'stories260K', space: 'joint', sampler: 'random', seed: 0, n: 500, histogram: { total: 500 } });
    expect(summary.histogram.counts).toHaveLength(7);
    expect(summary.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(500);
    expect(summary.histogram.counts[0]).toBeGreaterThan(summary.histogram.counts[6]); // uniform draws favour small networks
    expect(fs.readFileSync(svg, 'utf8').match(/<rect class="bar"/g)).toHaveLength(7);
    const again = await carve('sample', '--preset', 'stories260K', '--histogram', svg);
    expect([again.code, again.stderr]).toEqual([2, `carve: --histogram ${svg}: already exists; pass --force to replace it, or another file name\n`]);
  });

  test('--objective adds each objective\'s value', async () => {
    const { stdout } = await carve('sample', '--preset', 'stories260K', '--n', '2', '--objective', 'params', '--objective', 'flops');
    for (const line of stdout.trimEnd().split('\n').map((l) => JSON.parse(l))) {
      expect(line.objectives.params).toBe(line.params);
      expect(line.objectives.flops).toBeGreaterThan(0);
    }
  });

  const cases: [string, string[], string | RegExp][] = [
    ['an unknown sampler', ['--sampler', 'sobol'], `unknown sampler plugin "sobol" (sampler plugins: calibrated, grid, param-grid, random, sandwich)`],
    ['sampler options that are not JSON', ['--sampler-options', 'bins=3'], /^--sampler-options: not valid JSON \(.+\): bins=3$/],
    ['every invalid sampler option', ['--sampler', 'calibrated', '--sampler-options', '{"bins":1,"perBin":"x","rank":"loss"}'], `sampler 'calibrated' options: bins: must be >= 2 (got 1); perBin: expected a number (got "x"); rank: must be one of "score", "magnitude" (got "loss")`],
    ['the calibrated sampler without weights', ['--sampler', 'calibrated'], `sampler 'calibrated': without calibration data it ranks candidates by weight magnitude, which needs the model's weights: give --checkpoint instead of --preset`],
    ['the calibrated sampler ranking by score', ['--sampler', 'calibrated', '--sampler-options', '{"rank":"score"}'], "sampler 'calibrated': rank 'score' needs calibration data; use `carve calibrate --rank perplexity --data FILE --tokenizer PATH`, or rank 'magnitude'"],
    ['an unknown objective', ['--objective', 'speed'], 'unknown objective plugin "speed" (objective plugins: flops, kl, latency, latency-predicted, magnitude, params, perplexity, task-accuracy, val-loss)'],
    ['an objective that needs the weights', ['--objective', 'latency'], "objective/latency@1.0.0: objective 'latency' runs the sub-networks: it needs the model's weights (a checkpoint), not only a config"],
    ['a plugin package that is not installed', ['--plugin', 'carve-plugin-nope'], `plugin package 'carve-plugin-nope': not installed (looked in node_modules from ${process.cwd()} up); install it there with \`npm install carve-plugin-nope\``],
    ['a sandwich of one', ['--sampler', 'sandwich', '--n', '1'], "sampler 'sandwich': needs at least 2 sub-networks per call (largest and smallest), got 1"],
  ];
  test.each(cases)('%s: exit 2 with the message', async (_what, extra, message) => {
    const { code, stdout, stderr } = await carve('sample', '--preset', 'stories260K', ...extra);
    expect([code, stdout]).toEqual([2, '']);
    if (typeof message === 'string') expect(stderr).toBe(`carve: ${message}\n`);
    else expect(stderr.slice('carve: '.length).trimEnd()).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describeWithAssets('carve sample --sampler calibrated on stories260K weights', () => {
  test('ranks by weight magnitude: one point per bin plus both ends, seeded', async () => {
    const argv = ['--checkpoint', STORIES260K, '--sampler', 'calibrated', '--sampler-options', '{"bins":5,"perBin":2}', '--n', '100', '--seed', '4'];
    const lines = await sample(...argv);
    expect(lines).toHaveLength(7);
    expect([lines[0].params, lines[6].params]).toEqual([SMALLEST, LARGEST]);
    expect(await sample(...argv)).toEqual(lines);
  });
});
