/**
 * @module targets/spec
 * Run specs in JSON and YAML, read and hashed as `carve compress` does before it plans
 * (the hash is the run id's suffix, so a spec that validates must also hash).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRunSpec, specHash } from '@carve/spec';
import { deep, expandNesting, mutateJson, serialize } from '../mutate/json';
import { mutateText, YAML_MUTATIONS } from '../mutate/text';
import { Prng } from '../prng';
import { Target } from '../runner';
import { Seeds, toYaml } from '../seeds';
import { jsonCase, UNCHANGED } from './common';

function read(file: string): void {
  specHash(loadRunSpec(file));
}

/**
 * The seed with a plugin's free-form options nested `depth` deep: the schema cannot see it, the
 * hash recurses into it (100,000 levels overflow the stack; YAML takes 1,000, its parser is slow).
 */
function deepOptions(rng: Prng, spec: Record<string, unknown>, depth = 100_000): Record<string, unknown> {
  return { ...spec, space: { name: 'joint', options: { deep: deep(rng, depth) } } };
}

export function specJsonTarget(seeds: Seeds, cases: number): Target {
  const file = (dir: string) => path.join(dir, 'spec.json');
  return {
    name: 'spec-json',
    cases,
    prepare(rng, dir) {
      const m = rng.chance(0.05) ? { text: serialize(deepOptions(rng, seeds.spec)), applied: ['deepOptions'] } : jsonCase(rng, seeds.spec);
      fs.writeFileSync(file(dir), m.text);
      return m.applied;
    },
    run: (dir) => read(file(dir)),
    names: (dir) => [file(dir)],
  };
}

export function specYamlTarget(seeds: Seeds, cases: number): Target {
  const file = (dir: string) => path.join(dir, 'spec.yaml');
  return {
    name: 'spec-yaml',
    cases,
    prepare(rng, dir) {
      const roll = rng.next();
      let m: { text: string; applied: string[] };
      if (roll < UNCHANGED) m = { text: seeds.specYaml, applied: ['unchanged'] };
      else if (roll < 0.1) m = { text: expandNesting(toYaml(deepOptions(rng, seeds.spec, 1000)).trimStart()), applied: ['deepOptions'] };
      else if (roll < 0.45) m = mutateText(rng, seeds.specYaml, YAML_MUTATIONS, 'yaml');
      else if (roll < 0.75) {
        const j = mutateJson(rng, seeds.spec);
        m = { text: expandNesting(toYaml(j.value).trimStart()), applied: j.applied };
      } else m = mutateText(rng, seeds.specYaml);
      fs.writeFileSync(file(dir), m.text);
      return m.applied;
    },
    run: (dir) => read(file(dir)),
    names: (dir) => [file(dir)],
  };
}
