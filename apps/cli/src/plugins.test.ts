import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runCli } from './main';
import { createRegistry } from './plugins';

/** Runs the CLI in-process and captures what it writes. */
async function carve(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const REPO = path.resolve(__dirname, '../../..');
const BIN = path.resolve(__dirname, '../bin/carve.js');
const EXAMPLE = ['--plugin', 'carve-plugin-example'];

describe('createRegistry', () => {
  test('registers every built-in plugin through the registry, from @carve', () => {
    const listed = createRegistry([], REPO).list().map((p) => `${p.kind}/${p.name} ${p.source}`);
    expect(listed).toEqual([
      'search-space/explicit @carve',
      'search-space/joint @carve',
      'search-space/layerwise @carve',
      'importance/activation @carve',
      'importance/magnitude @carve',
      'sampler/calibrated @carve',
      'sampler/grid @carve',
      'sampler/param-grid @carve',
      'sampler/random @carve',
      'sampler/sandwich @carve',
      'training-strategy/random @carve',
      'training-strategy/sandwich @carve',
      'training-strategy/sandwich-kd @carve',
      'training-strategy/standard @carve',
      'baseline/activation-width @carve',
      'baseline/block-depth @carve',
      'baseline/flap @carve',
      'baseline/magnitude-width @carve',
      'optimizer/local-search @carve',
      'optimizer/mo-rea @carve',
      'optimizer/nsga2 @carve',
      'optimizer/parego @carve',
      'optimizer/random @carve',
      'objective/flops @carve',
      'objective/kl @carve',
      'objective/latency @carve',
      'objective/latency-predicted @carve',
      'objective/magnitude @carve',
      'objective/params @carve',
      'objective/perplexity @carve',
      'objective/task-accuracy @carve',
      'objective/val-loss @carve',
      'task/arc-challenge @carve',
      'task/arc-easy @carve',
      'task/boolq @carve',
      'task/hellaswag @carve',
      'task/lambada-openai @carve',
      'task/mmlu @carve',
      'task/piqa @carve',
      'task/text-cloze @carve',
      'task/text-ending @carve',
      'task/winogrande @carve',
      'catalog-backend/local @carve',
      'catalog-backend/s3 @carve',
    ]);
  });

  test('then the example package, found from the repository root through node_modules', () => {
    const ours = createRegistry(['carve-plugin-example'], REPO).list().filter((p) => p.source !== '@carve');
    expect(ours).toEqual([
      { kind: 'sampler', name: 'fixed-depth', version: '0.1.0', description: 'random sub-networks that all keep the same number of layers', source: 'carve-plugin-example@0.1.0' },
      { kind: 'objective', name: 'embed-width', version: '0.1.0', description: 'the embedding width of the sub-network (minimized)', source: 'carve-plugin-example@0.1.0' },
    ]);
  });
});

describe('the example plugin package through carve sample --plugin', () => {
  test('its sampler gives members of one depth, and its objective the embedding width, seeded', async () => {
    const argv = ['sample', '--preset', 'stories260K', ...EXAMPLE, '--sampler', 'fixed-depth', '--sampler-options', '{"depth":3}', '--objective', 'embed-width', '--n', '20', '--seed', '5'];
    const run = await carve(...argv);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(20);
    for (const { params, objectives, subNetwork } of lines) {
      expect(subNetwork.layers.map((l: { index: number }) => l.index)).toEqual([0, 1, 2]);
      expect(objectives).toEqual({ 'embed-width': subNetwork.embedDim });
      expect(params).toBeGreaterThan(0);
    }
    expect(new Set(lines.map((l) => l.subNetwork.embedDim)).size).toBeGreaterThan(1); // the widths still vary
    expect((await carve(...argv)).stdout).toBe(run.stdout);
  });

  test('its zod schema validates the options: every bad field named, exit 2', async () => {
    const { code, stdout, stderr } = await carve('sample', '--preset', 'stories260K', ...EXAMPLE, '--sampler', 'fixed-depth', '--sampler-options', '{"depth":0,"width":3}');
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toBe("carve: sampler 'fixed-depth' options: width: unknown option (options: depth); depth: must be >= 1 (got 0)\n");
  });

  // Before names were checked, a path resolved like a package: `--plugin <folder>` (or a spec's
  // `plugins`, or a cloud request's) required whatever that folder's package.json pointed at.
  test('by its folder instead of its package name, it is refused and nothing of it is loaded', async () => {
    const folder = path.join(REPO, 'tools', 'examples', 'plugin-example');
    for (const given of [folder, `./${path.relative(process.cwd(), folder)}`]) {
      const { code, stdout, stderr } = await carve('sample', '--preset', 'stories260K', '--plugin', given, '--sampler', 'fixed-depth');
      expect([code, stdout]).toEqual([2, '']);
      expect(stderr).toBe(`carve: plugin package ${JSON.stringify(given)}: is a path, not a package name: plugins are installed packages, named as in their package.json (install a local one with \`npm install ./my-plugin\`)\n`);
    }
    expect(() => createRegistry([folder], REPO)).toThrow('is a path, not a package name');
  });

  test('without --plugin its names are unknown', async () => {
    const { code, stderr } = await carve('sample', '--preset', 'stories260K', '--sampler', 'fixed-depth');
    expect([code, stderr]).toEqual([2, 'carve: unknown sampler plugin "fixed-depth" (sampler plugins: calibrated, grid, param-grid, random, sandwich)\n']);
  });

  // Through the real bin: the package's UserError and the CLI's are then the one class of the
  // built @carve/engine (in jest the CLI runs on the sources, the package on the build).
  test('what only create can check (a depth the space lacks) is a user error naming the plugin', () => {
    const run = spawnSync('node', [BIN, 'sample', '--preset', 'stories260K', ...EXAMPLE, '--sampler', 'fixed-depth', '--sampler-options', '{"depth":9}'], { cwd: REPO, encoding: 'utf8' });
    expect([run.status, run.stdout, run.stderr]).toEqual([2, '', "carve: sampler/fixed-depth@0.1.0: depth 9 is not one of the space's depths 1, 2, 3, 4, 5\n"]);
    const ok = execFileSync('node', [BIN, 'sample', '--preset', 'stories260K', ...EXAMPLE, '--sampler', 'fixed-depth', '--sampler-options', '{"depth":5}', '--n', '2'], { cwd: REPO, encoding: 'utf8' });
    expect(ok.trimEnd().split('\n').map((l) => JSON.parse(l).subNetwork.layers.length)).toEqual([5, 5]);
  });
});
