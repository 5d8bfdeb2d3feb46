import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalJson, loadRunSpec, parseRunSpec, parseRunSpecText, runSpecSchema, SpecError, specHash } from './spec';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-spec-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The problems parseRunSpec reports for `document`, or none. */
function issuesOf(document: unknown): readonly string[] {
  try {
    parseRunSpec(document);
  } catch (e) {
    return (e as { issues: string[] }).issues;
  }
  return [];
}

test('{} is a complete spec: every default filled in', () => {
  const spec = parseRunSpec({});
  expect(spec).toMatchObject({
    seed: 0,
    space: { name: 'joint', options: {} },
    sampler: { name: 'calibrated' },
    training: { strategy: { name: 'sandwich-kd' }, steps: 200, lora: { rank: 8, alpha: 16, dropout: 0 }, full: false },
    search: { strategy: { name: 'nsga2' }, objectives: [{ name: 'val-loss' }, { name: 'latency' }], budget: 40, constraints: [] },
    evaluation: { tasks: [{ name: 'text-cloze', options: {} }, { name: 'text-ending', options: {} }], limit: 200 },
    baselines: { methods: [], subNetworks: false, fineTune: {} },
    export: { max: 5, formats: ['hf', 'onnx'], ggufType: 'f16' },
    output: { catalog: 'local', root: 'carve-runs' },
  });
  expect(parseRunSpec(undefined)).toEqual(spec);
  // The defaults of nested objects equal what parsing an empty nested object gives.
  expect(parseRunSpec({ training: {}, search: {}, data: {}, importance: {}, latency: {}, evaluation: {}, baselines: {}, export: {}, output: {} })).toEqual(spec);
});

test('every problem is listed with its path', () => {
  const bad = { seed: -1, trianing: {}, training: { steps: 0, lora: { dropout: 1 } }, search: { objectives: [{ name: 'val-loss' }, { name: 'val-loss' }], constraints: [{ objective: 'latency', max: 5 }, { objective: 'val-loss' }], reference: [1] }, output: { endpoint: 'not a url' } };
  let issues: readonly string[] = [];
  try {
    parseRunSpec(bad, 'spec.yaml');
  } catch (e) {
    issues = (e as { issues: string[] }).issues;
    expect((e as Error).message).toMatch(/^spec.yaml: \d+ problems: /);
  }
  expect(issues).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^seed: /),
      expect.stringMatching(/^\(top level\): Unrecognized key: "trianing"/),
      expect.stringMatching(/^training.steps: /),
      expect.stringMatching(/^training.lora.dropout: /),
      expect.stringMatching(/^search.constraints.1: give max, min or both/),
      expect.stringMatching(/^output.endpoint: /),
    ]),
  );
});

test('cross-field checks of the search name their place', () => {
  const issues = (() => {
    try {
      parseRunSpec({ search: { objectives: [{ name: 'val-loss' }, { name: 'val-loss' }], constraints: [{ objective: 'latency', max: 5 }], reference: [1] } });
    } catch (e) {
      return (e as { issues: string[] }).issues;
    }
    return [];
  })();
  expect(issues).toEqual([
    "search.constraints.0.objective: 'latency' is not an objective of the search (val-loss, val-loss)",
    "search.objectives.1.name: 'val-loss' is given twice",
    'search.reference: 1 values for 2 objectives (val-loss, val-loss)',
  ]);
});

test('evaluation tasks: each at most once, shots and limit checked, none at all allowed', () => {
  expect(issuesOf({ evaluation: { tasks: [{ name: 'hellaswag' }, { name: 'hellaswag', options: { data: 'x' } }] } })).toEqual(["evaluation.tasks.1.name: 'hellaswag' is given twice"]);
  expect(issuesOf({ evaluation: { limit: 0, shots: 1.5 } })).toEqual([expect.stringMatching(/^evaluation.limit: /), expect.stringMatching(/^evaluation.shots: /)]);
  expect(parseRunSpec({ evaluation: { tasks: [] } }).evaluation.tasks).toEqual([]);
});

test('baselines: each label once (a method given twice needs a label), fine-tuning on by default, steps checked', () => {
  const methods = [{ name: 'flap' }, { name: 'flap', fineTune: false }, { name: 'flap', options: { compensate: false } }];
  expect(issuesOf({ baselines: { methods } })).toEqual(["baselines.methods.2: 'flap+ft' is given twice; give one a label"]);
  expect(parseRunSpec({ baselines: { methods: [...methods.slice(0, 2), { ...methods[2], label: 'flap-raw+ft' }] } }).baselines.methods.map((m) => m.fineTune)).toEqual([true, false, true]);
  expect(issuesOf({ baselines: { fineTune: { steps: 0 }, methods: [{ name: 'flap', extra: 1 }] } })).toEqual([expect.stringMatching(/^baselines.methods.0: /), expect.stringMatching(/^baselines.fineTune.steps: /)]);
});

test('JSON and YAML files load to the same spec; unreadable and malformed files say so', () => {
  const doc = { name: 'small', training: { steps: 20 }, search: { budget: 12, objectives: [{ name: 'val-loss' }, { name: 'params' }] } };
  fs.writeFileSync(path.join(tmp, 'spec.json'), JSON.stringify(doc));
  fs.writeFileSync(path.join(tmp, 'spec.yaml'), 'name: small\ntraining:\n  steps: 20\nsearch:\n  budget: 12\n  objectives:\n    - name: val-loss\n    - name: params\n');
  expect(loadRunSpec(path.join(tmp, 'spec.yaml'))).toEqual(loadRunSpec(path.join(tmp, 'spec.json')));
  expect(loadRunSpec(path.join(tmp, 'spec.json')).search.budget).toBe(12);
  expect(() => loadRunSpec(path.join(tmp, 'missing.json'))).toThrow(`${path.join(tmp, 'missing.json')}: 1 problem: cannot read it (ENOENT)`);
  fs.writeFileSync(path.join(tmp, 'bad.yaml'), 'training: [unclosed');
  expect(() => loadRunSpec(path.join(tmp, 'bad.yaml'))).toThrow(/bad.yaml: 1 problem: not valid YAML: /);
});

test('the schema is exported for documentation and tools', () => {
  expect(Object.keys(runSpecSchema.shape)).toEqual(['name', 'seed', 'device', 'model', 'data', 'plugins', 'space', 'importance', 'sampler', 'training', 'search', 'latency', 'evaluation', 'baselines', 'export', 'output']);
});

test('the content hash is the same for every document that means the same run, and differs otherwise', () => {
  const json = parseRunSpecText('{"training": {"steps": 20, "lr": 0.001}, "seed": 3}', 'request.json');
  const yaml = parseRunSpecText('seed: 3\ntraining:\n  lr: 0.001\n  steps: 20\n', 'request.yaml');
  const spelledOut = parseRunSpec({ ...json, output: { catalog: 'local', root: 'carve-runs' } });
  expect(specHash(yaml)).toBe(specHash(json));
  expect(specHash(spelledOut)).toBe(specHash(json));
  expect(specHash(parseRunSpec({ seed: 4, training: { steps: 20 } }))).not.toBe(specHash(json));
  expect(specHash(json)).toMatch(/^[0-9a-f]{64}$/);
  expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"e":0,"f":1}]},"b":1}');
  expect(() => parseRunSpecText('seed: [', 'request.yaml')).toThrow(/^request\.yaml: 1 problem: not valid YAML: /);
  expect(() => parseRunSpecText('{', 'request', 'json')).toThrow(/^request: 1 problem: not valid JSON: /);
  expect(parseRunSpec({}).device).toBe('auto');
});

test('export formats: hf is required, each format once, gguf with its type', () => {
  expect(parseRunSpec({ export: { formats: ['hf', 'onnx', 'gguf'], ggufType: 'f32' } }).export).toEqual({ max: 5, formats: ['hf', 'onnx', 'gguf'], ggufType: 'f32' });
  const problems = (document: unknown) => {
    try {
      parseRunSpec(document);
      return [];
    } catch (e) {
      return (e as SpecError).issues;
    }
  };
  expect(problems({ export: { formats: ['onnx'] } })).toEqual([expect.stringMatching(/^export\.formats: must include 'hf'/)]);
  expect(problems({ export: { formats: ['hf', 'hf'] } })).toEqual([expect.stringMatching(/^export\.formats: lists a format twice/)]);
  expect(problems({ export: { formats: ['hf', 'tflite'] } })).toEqual([expect.stringMatching(/^export\.formats\.1: /)]);
  expect(problems({ export: { onnx: true } })).toEqual(["export.onnx: replaced by export.formats: ['hf', 'onnx'] writes ONNX, ['hf'] does not"]);
});

test('keys with line breaks are quoted on one line in the problems (found by tools/fuzz)', () => {
  let message = '';
  try {
    parseRunSpec({ 'a\nb': 1, training: { 'c\r\nd': 2 } }, 'spec.json');
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toBe('spec.json: 2 problems: training: Unrecognized key: "c\\r\\nd"; (top level): Unrecognized key: "a\\nb"');
});

test('a document nested deeper than any spec is refused before it is hashed, which would overflow the stack (found by tools/fuzz)', () => {
  const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  expect(() => parseRunSpec({ space: { name: 'joint', options: { deep } } }, 'spec.json')).toThrow(new SpecError('spec.json', ['space.options.deep.0…: nested deeper than 100 levels']));
  expect(() => parseRunSpecText(`space:\n  options:\n    deep: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 'spec.yaml')).toThrow(/^spec\.yaml: 1 problem: (not valid YAML: .*|space\.options\.deep\.0…: nested deeper than 100 levels)$/);
  const ok = parseRunSpec({ space: { name: 'joint', options: { a: [[[{ b: 1 }]]] } } });
  expect(specHash(ok)).toMatch(/^[0-9a-f]{64}$/);
});
