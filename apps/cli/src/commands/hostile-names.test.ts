import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Catalog, LocalBackend } from '@carve/catalog';
import { parseRunSpec } from '@carve/spec';
import { HOSTILE_NAMES } from '../../../../libs/names/src/testing/hostile-names';
import { carve } from '../testing/run-cli';

/**
 * Every command that takes a run id or a plugin name from its arguments or its spec refuses the
 * hostile names: exit 2, one line naming the option and the name, escaped; and nothing is
 * written anywhere, in the catalog folder or outside it.
 */

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-cli-hostile-'));
const root = path.join(sandbox, 'catalog');
const ID = '20261128-2000-aaaaaa';
/** A bucket where nothing listens: a request sent would fail as unreachable, not as a bad name. */
const unreachable = ['--bucket', 'carve-cloud', '--endpoint', 'http://127.0.0.1:9'];
afterAll(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** Every file under `dir`, relative and sorted. */
const filesIn = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();

/** A spec file whose catalog is the sandbox's, with `fields`. */
function spec(name: string, fields: Record<string, unknown> = {}): string {
  const file = path.join(sandbox, 'specs', `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ output: { root }, ...fields }));
  return file;
}

let before: string[];
beforeAll(async () => {
  const now = '2026-11-28T20:00:00.000Z';
  await new Catalog(new LocalBackend(root)).writeManifest(ID, { format: 1, id: ID, status: 'complete', created: now, updated: now, spec: {}, seeds: {}, versions: {}, stages: [], summary: {} });
  spec('plain');
  before = filesIn(sandbox);
});

/** [the command, its argv for a name]. */
const RUN_ID_COMMANDS: [string, (name: string) => string[]][] = [
  ['export', (name) => ['export', name, '--member', '0', '--catalog', root]],
  ['report', (name) => ['report', name, '--catalog', root]],
  ['runs show', (name) => ['runs', 'show', name, '--catalog', root]],
  ['runs compare', (name) => ['runs', 'compare', name, '--catalog', root]],
  ['compress --run', (name) => ['compress', path.join(sandbox, 'specs', 'plain.json'), '--dry-run', '--run', name]],
  ['cloud status', (name) => ['cloud', 'status', name, ...unreachable]],
  ['cloud logs', (name) => ['cloud', 'logs', name, ...unreachable]],
  ['cloud cancel', (name) => ['cloud', 'cancel', name, ...unreachable]],
];

describe.each(HOSTILE_NAMES)('%s', (_what, name) => {
  test.each(RUN_ID_COMMANDS)('as the run id of carve %s: exit 2, one line naming it', async (_command, argv) => {
    const run = await carve(argv(name));
    expect([run.code, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toMatch(/^carve: (--run: )?run id ".*" (\(\d+ characters\) )?is not valid: [^\n\u2028\u202e]*\n$/);
    expect(filesIn(sandbox)).toEqual(before);
  });

  test('as a plugin of a spec (carve compress): exit 2, one line, nothing loaded or written', async () => {
    const run = await carve(['compress', spec('plugin', { plugins: [name] }), '--dry-run']);
    expect([run.code, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toMatch(/^carve: [^\n\u2028\u202e]*(plugins\.0|plugin package ".*")[^\n\u2028\u202e]*\n$/);
    fs.rmSync(path.join(sandbox, 'specs', 'plugin.json'));
    expect(filesIn(sandbox)).toEqual(before);
  });
});

test('carve compress never continues a folder of the catalog whose name is no run id, even one holding its spec', async () => {
  const file = spec('reused');
  const folder = path.join(root, 'runs', 'not a run');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'spec.json'), JSON.stringify(parseRunSpec(JSON.parse(fs.readFileSync(file, 'utf8')))));
  const run = await carve(['compress', file, '--dry-run']);
  expect([run.code, run.stderr]).toEqual([0, '']);
  expect(run.stdout).toMatch(new RegExp(`^run \\d{8}-\\d{4}-[0-9a-f]{6} in ${path.join(root, 'runs')}/`));
  fs.rmSync(folder, { recursive: true });
  fs.rmSync(file);
});

test('nothing was written outside the sandbox', () => {
  expect(fs.existsSync('/tmp/carve-escaped')).toBe(false);
  expect(filesIn(sandbox)).toEqual(before);
});
