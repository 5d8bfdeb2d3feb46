/**
 * @module targets/run-files
 * Files that runs leave and later commands read: importance.json (its layer order, which
 * `carve train --importance` takes) and the catalog's manifest.json, read through the
 * catalog, and written by it (which must refuse a bad manifest without leaving a file, and
 * read back whatever it accepted).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Catalog, LocalBackend } from '@carve/catalog';
import { createRegistry, loadModelAndSpace } from '@carve/pipeline';
import { deep, expandNesting, mutateJson } from '../mutate/json';
import { Target } from '../runner';
import { Seeds } from '../seeds';
import { jsonCase, UNCHANGED } from './common';

export function importanceTarget(seeds: Seeds, cases: number): Target {
  const file = (dir: string) => path.join(dir, 'importance.json');
  let registry: ReturnType<typeof createRegistry> | undefined;
  return {
    name: 'importance-json',
    cases,
    prepare(rng, dir) {
      const m = jsonCase(rng, seeds.importance);
      fs.writeFileSync(file(dir), m.text);
      return m.applied;
    },
    run(dir) {
      registry ??= createRegistry([], process.cwd());
      loadModelAndSpace({ checkpoint: seeds.hf.llama, space: 'joint', spaceOptions: {}, importance: file(dir) }, registry);
    },
    names: (dir) => [file(dir)],
  };
}

const ID = '20260101-1200-abcdef';
const manifestFile = (dir: string) => path.join(dir, 'catalog', 'runs', ID, 'manifest.json');

export function manifestReadTarget(seeds: Seeds, cases: number): Target {
  return {
    name: 'manifest-read',
    cases,
    prepare(rng, dir) {
      fs.mkdirSync(path.dirname(manifestFile(dir)), { recursive: true });
      const m = jsonCase(rng, seeds.manifest, true);
      fs.writeFileSync(manifestFile(dir), m.text);
      return m.applied;
    },
    run: (dir) => new Catalog(new LocalBackend(path.join(dir, 'catalog'))).showRun(ID),
    names: () => [path.join('runs', ID, 'manifest.json')],
  };
}

export function manifestWriteTarget(seeds: Seeds, cases: number): Target {
  const input = (dir: string) => path.join(dir, 'input.json');
  return {
    name: 'manifest-write',
    cases,
    prepare(rng, dir) {
      // Values only: writeManifest takes an object, not text.
      const roll = rng.next();
      // The spec a manifest records is free-form: nested 100,000 deep, only writing it recurses that far.
      const m =
        roll < UNCHANGED ? { value: seeds.manifest, applied: ['unchanged'] } : roll < 0.1 ? { value: { ...seeds.manifest, spec: { deep: deep(rng, 100_000) } }, applied: ['deepSpec'] } : mutateJson(rng, seeds.manifest);
      fs.writeFileSync(input(dir), expandNesting(JSON.stringify(m.value) ?? 'null'));
      return m.applied;
    },
    async run(dir) {
      const catalog = new Catalog(new LocalBackend(path.join(dir, 'catalog')));
      await catalog.writeManifest(ID, JSON.parse(fs.readFileSync(input(dir), 'utf8')));
      fs.writeFileSync(path.join(dir, 'accepted'), '');
      try {
        await catalog.showRun(ID);
      } catch (e) {
        throw new Error(`writeManifest accepted a manifest that showRun cannot read back: ${(e as Error).message}`);
      }
    },
    // No names check: writeManifest takes an object, and its errors name the run, not a file.
    after(dir, failed) {
      const written = fs.existsSync(manifestFile(dir));
      if (!failed || !written || fs.existsSync(path.join(dir, 'accepted'))) return [];
      return [{ kind: 'partial-output', detail: `a manifest was written though the call failed: ${manifestFile(dir)}` }];
    },
  };
}
