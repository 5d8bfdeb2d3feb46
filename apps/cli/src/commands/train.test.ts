import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '@carve/engine';
import { initWeights, LORA_TARGETS, loraParamSpecs, openSafetensors, paramSpecs, resolveConfig, saveHfCheckpoint } from '@carve/model';
import { describeWithAssets, STORIES260K, TINYSTORIES_TRAIN, TOK512, writeByteTokenizer } from '@carve/test-assets';
import { carve } from '../testing/run-cli';


const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const at = (...names: string[]) => path.join(tmp, ...names);
function file(name: string, content: string): string {
  fs.writeFileSync(at(name), content);
  return at(name);
}

/** A tiny random llama (vocabulary: the 260 ids of a byte-level llama2.c tokenizer). */
const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 260, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 32 });
const MODEL = at('model');
saveHfCheckpoint({ config, weights: initWeights(config, new Rng(1), 0.2) }, MODEL);

const TOKENIZER = writeByteTokenizer(at('bytes.bin'));
const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog', 'ran', 'far'];
const story = (i: number) => Array.from({ length: 20 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ') + '.';
const TEXT = file('stories.txt', Array.from({ length: 40 }, (_, i) => story(i)).join('\n\n'));

/** A small fast run: random sampler, two students, four steps of 2 × 16 tokens. */
const base = (out: string, extra: string[] = []) => [
  'train', '--checkpoint', MODEL, '--tokenizer', TOKENIZER, '--data', TEXT, '--separator', '\n\n', '--sampler', 'random',
  '--steps', '4', '--batch-size', '2', '--seq-len', '16', '--lora-rank', '2', '--eval-every', '2', '--checkpoint-every', '2', '--lr', '0.01',
  '--out', out, ...extra,
];
const lines = (out: string) => fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));

describe('carve train on a tiny random model', () => {
  const out = at('run');
  let run: Awaited<ReturnType<typeof carve>>;
  beforeAll(async () => {
    run = await carve(base(out));
  });

  test('exits 0, writes the run folder and prints a one-line summary', () => {
    expect([run.code, run.stderr]).toEqual([0, '']); // no progress when stderr is not a terminal
    expect(fs.readdirSync(out).sort()).toEqual(['adapters.safetensors', 'checkpoints', 'metrics.jsonl', 'run.json']);
    expect(fs.readdirSync(path.join(out, 'checkpoints')).sort()).toEqual(['latest.json', 'step-000002', 'step-000004']);
    const summary = JSON.parse(run.stdout);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(summary).toMatchObject({ out, steps: 4, of: 4, complete: true, adapters: path.join(out, 'adapters.safetensors') });
    expect(Number.isFinite(summary.trainLoss)).toBe(true);
    expect(Object.keys(summary.validation)).toEqual(['largest', 'medium', 'smallest']);
  });

  test('run.json holds the validated settings with their defaults, the seed and the data record', () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(json.settings).toMatchObject({ steps: 4, lr: 0.01, seqLen: 16, warmup: 0, minLr: 0.001, strategy: 'sandwich-kd', sampler: 'random', space: 'joint', loraRank: 2, loraAlpha: 16, loraTargets: [...LORA_TARGETS], full: false, validationFraction: 0.05 });
    expect(json.seed).toBe(0);
    expect(json.data.files).toEqual([{ path: TEXT, bytes: fs.statSync(TEXT).size, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(json.data.validation.documents).toBe(2);
    expect(Object.keys(json.carve)).toContain('@carve/trainer');
    const params = ['largest', 'medium', 'smallest'].map((n) => json.evaluation[n].params);
    expect(params[0]).toBeGreaterThan(params[1]);
    expect(params[1]).toBeGreaterThan(params[2]);
  });

  test('metrics.jsonl: a line per step, and the three networks’ validation losses every --eval-every steps', () => {
    const m = lines(out);
    expect(m.map((l) => `${l.type} ${l.step}`)).toEqual(['train 1', 'train 2', 'eval 2', 'train 3', 'train 4', 'eval 4']);
    const train = m.filter((l) => l.type === 'train');
    expect(train[0].networks).toHaveLength(3); // sandwich-kd: full, smallest, one sampled
    for (const l of train) expect([l.loss, l.lr, l.gradNorm].every(Number.isFinite)).toBe(true);
    for (const l of m.filter((x) => x.type === 'eval')) {
      for (const name of ['largest', 'medium', 'smallest']) expect(l.validation[name]).toMatchObject({ loss: expect.any(Number), tokens: expect.any(Number) });
      expect(l.validation.largest.tokens).toBeGreaterThan(0);
    }
  });

  test('adapters.safetensors holds every LoRA tensor in its shape, and what it is in the metadata', () => {
    const st = openSafetensors(path.join(out, 'adapters.safetensors'));
    const lora = { rank: 2, alpha: 16, dropout: 0, targets: [...LORA_TARGETS] };
    expect(st.names).toEqual(loraParamSpecs(config, lora).map((s) => s.name));
    expect(st.entry('layers.0.attn.q.lora_a')?.shape).toEqual([16, 2]);
    expect(st.metadata['carve.trainable']).toBe('lora');
    expect(JSON.parse(st.metadata['carve.lora'])).toEqual(lora);
  });

  test('a run stopped at step 2 and resumed ends with the same adapters and metrics as the uninterrupted run', async () => {
    const part = at('part');
    const first = await carve(base(part, ['--stop-after', '2']));
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ steps: 2, of: 4, complete: false });
    expect(fs.existsSync(path.join(part, 'adapters.safetensors'))).toBe(false);
    const resumed = await carve(['train', '--out', part, '--resume', '--threads', '2']); // threads may change
    expect([resumed.code, resumed.stderr]).toEqual([0, '']);
    expect(fs.readFileSync(path.join(part, 'adapters.safetensors'))).toEqual(fs.readFileSync(path.join(out, 'adapters.safetensors')));
    expect(lines(part)).toEqual(lines(out));
    expect(JSON.parse(resumed.stdout).validation).toEqual(JSON.parse(run.stdout).validation);

    const again = await carve(['train', '--out', part, '--resume']);
    expect([again.code, again.stderr]).toEqual([2, `carve: --resume: the run in ${part} is complete (4 of 4 steps); nothing to resume\n`]);
  });

  test('--resume refuses settings that differ from run.json, listing each', async () => {
    const part = at('part2');
    expect((await carve(base(part, ['--stop-after', '2']))).code).toBe(0);
    const before = fs.readFileSync(path.join(part, 'metrics.jsonl'), 'utf8');
    const r = await carve(['train', '--out', part, '--resume', '--lr', '0.02', '--steps', '4', '--lora-targets', 'q,v']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `carve: --resume: these change the run's settings (from ${path.join(part, 'run.json')}): --lora-targets ["q","v"] (the run has ["q","k","v","o","mlp","head"]), --lr 0.02 (the run has 0.01); drop them, or start a new run in another folder\n`,
    );
    expect(fs.readFileSync(path.join(part, 'metrics.jsonl'), 'utf8')).toBe(before);
  });

  test('an existing --out is refused without --resume or --force, and left as it was', async () => {
    const before = fs.readFileSync(path.join(out, 'adapters.safetensors'));
    const r = await carve(base(out));
    expect([r.code, r.stderr]).toEqual([2, `carve: --out ${out}: already exists; pass --resume to continue its run, --force to replace it, or another folder\n`]);
    expect(fs.readFileSync(path.join(out, 'adapters.safetensors'))).toEqual(before);
  });

  test('a progress line with step, loss and ETA goes to stderr when it is a terminal', async () => {
    const r = await carve(base(at('tty'), ['--steps', '2', '--force']), true);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\rtrain: █{12}░{12} 1\/2, loss \d+\.\d{4}, ETA \d+m\d\ds {3}\rtrain: █{24} 2\/2, loss \d+\.\d{4}, ETA 0m00s {3}\n$/);
  });
});

test('--full trains every weight and writes them all', async () => {
  const out = at('full-run');
  const r = await carve(base(out, ['--full', '--steps', '2', '--lr', '0.001']).filter((a, i, all) => a !== '--lora-rank' && all[i - 1] !== '--lora-rank'));
  expect([r.code, r.stderr]).toEqual([0, '']);
  const st = openSafetensors(path.join(out, 'adapters.safetensors'));
  expect(st.names).toEqual(paramSpecs(config).map((s) => s.name));
  expect(st.metadata['carve.trainable']).toBe('all');
  const json = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
  expect(json.trainable).toEqual({ kind: 'all', parameters: paramSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0) });
});

describe('carve train settings: config file, flags, and every problem at once', () => {
  test('a --config file gives the settings and flags override it', async () => {
    const out = at('configured');
    const cfg = file('cfg.json', JSON.stringify({ checkpoint: MODEL, tokenizer: TOKENIZER, data: [TEXT], separator: '\n\n', sampler: 'random', strategy: 'sandwich', strategyOptions: { n: 1 }, steps: 3, batchSize: 2, seqLen: 16, lr: 0.005, loraRank: 2, loraTargets: ['q', 'v'], evalEvery: 10 }));
    const r = await carve(['train', '--config', cfg, '--steps', '2', '--lr', '0.002', '--out', out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(json.settings).toMatchObject({ steps: 2, lr: 0.002, batchSize: 2, loraTargets: ['q', 'v'], strategy: 'sandwich', strategyOptions: { n: 1 }, evalEvery: 10 });
    expect(lines(out).map((l) => `${l.type} ${l.step}`)).toEqual(['train 1', 'train 2', 'eval 2']); // the final step is always evaluated
    expect(lines(out)[0].networks).toHaveLength(2); // sandwich with n 1: full and smallest
  });

  test('a YAML config file works the same, and bad YAML is reported', async () => {
    const out = at('yaml');
    const cfg = file('cfg.yaml', [`checkpoint: ${MODEL}`, `tokenizer: ${TOKENIZER}`, 'data:', `  - ${TEXT}`, "separator: \"\\n\\n\"", 'sampler: random', 'strategy: standard', 'steps: 1', 'batchSize: 2', 'seqLen: 16', 'loraRank: 2'].join('\n'));
    const r = await carve(['train', '--config', cfg, '--out', out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).settings).toMatchObject({ steps: 1, batchSize: 2, loraRank: 2, strategy: 'standard' });
    const bad = await carve(['train', '--config', file('bad.yml', 'steps: [1,\n'), '--out', at('bad-yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--config .*bad\.yml: not valid YAML/);
    // An indented JSON file: the parser's message quotes its line breaks, escaped (found by tools/fuzz).
    const badJson = await carve(['train', '--config', file('bad-indented.json', '{\n  "steps": 1,\n  "lr": x\n}\n'), '--out', at('bad-json')]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(badJson.stderr).toMatch(/--config .*bad-indented\.json: not valid JSON \(.*\\n.*\)/);
  });

  test('every invalid field, from flags and the config file, in one line; nothing written', async () => {
    const out = at('invalid');
    const cfg = file('bad.json', JSON.stringify({ lrr: 1, batchSize: 0, samplerOptions: { bins: 1 } }));
    const r = await carve(['train', '--config', cfg, '--checkpoint', MODEL, '--tokenizer', TOKENIZER, '--data', TEXT, '--lr', '-1', '--steps', 'many', '--strategy', 'nope', '--lora-targets', 'q,x', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(2);
    const problems = r.stderr.slice('carve: '.length).trimEnd().split('; ');
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^lrr in .*bad\.json: unknown setting \(settings: checkpoint, tokenizer, /),
      expect.stringMatching(/^batchSize in .*bad\.json: must be >= 1 \(got 0\)$/),
      '--lr: must be > 0 (got -1)',
      '--steps: expected a number (got "many")',
      '--lora-targets[1]: must be one of "q", "k", "v", "o", "mlp", "head" (got "x")',
    ]));
    expect(fs.existsSync(out)).toBe(false);

    const names = await carve(['train', '--checkpoint', MODEL, '--tokenizer', TOKENIZER, '--data', TEXT, '--strategy', 'nope', '--sampler-options', '{"bins":1}', '--out', out]);
    expect(names.stderr).toBe(
      `carve: --strategy nope: unknown training-strategy plugin "nope" (training-strategy plugins: random, sandwich, sandwich-kd, standard); sampler 'calibrated' options: bins: must be >= 2 (got 1)\n`,
    );
  });

  test('--full with LoRA settings, --resume with --force, and a missing --out run are refused', async () => {
    const full = await carve(['train', '--checkpoint', MODEL, '--tokenizer', TOKENIZER, '--data', TEXT, '--full', '--lora-rank', '4', '--out', at('full')]);
    expect(full.stderr).toBe('carve: --lora-rank: LoRA settings with --full; give --full or LoRA settings, not both\n');
    const both = await carve(['train', '--out', at('nothing'), '--resume', '--force']);
    expect(both.stderr).toBe('carve: give --resume or --force, not both\n');
    const none = await carve(['train', '--out', at('nothing'), '--resume']);
    expect(none.stderr).toBe(`carve: --resume: ${at('nothing')} holds no training run (no run.json); start one without --resume\n`);
  });
});

describe('carve train: bad files stop the run with one line, exit 2 and nothing written', () => {
  const cases: [string, () => string[], (out: string) => string][] = [
    ['a missing data file', () => ['--data', at('nope.txt')], () => `--data ${at('nope.txt')}: no such file or folder`],
    ['an empty data file', () => ['--data', file('empty.txt', ' \n')], () => `training data: ${at('empty.txt')}: empty file; give at least one document`],
    ['a JSONL line without the field', () => ['--data', file('rows.jsonl', '{"text":"a cat sat on the mat"}\n{"body":"no text"}\n')], () => `training data: ${at('rows.jsonl')}:2: field 'text' is missing`],
    ['an --out under a file', () => ['--data', TEXT], () => `--out ${path.join(TEXT, 'run')}: cannot create it: ${TEXT} is a file, not a folder`],
  ];
  test.each(cases)('%s', async (_name, args, message) => {
    const out = _name.startsWith('an --out') ? path.join(TEXT, 'run') : at(`bad-${_name.replace(/\W+/g, '-')}`);
    const r = await carve(['train', '--checkpoint', MODEL, '--tokenizer', TOKENIZER, ...args(), '--steps', '1', '--seq-len', '8', '--validation-fraction', '0', '--out', out]);
    expect([r.code, r.stderr, r.stdout]).toEqual([2, `carve: ${message(out)}\n`, '']);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describeWithAssets('carve train on stories260K', () => {
  test('four steps with the default strategy and the calibrated sampler', async () => {
    const out = at('stories');
    const text = file('stories-head.txt', fs.readFileSync(TINYSTORIES_TRAIN, 'utf8').slice(0, 30000));
    const args = ['train', '--checkpoint', STORIES260K, '--tokenizer', TOK512, '--data', text, '--separator', '\n\n', '--steps', '4', '--seq-len', '32', '--batch-size', '2', '--eval-every', '4'];
    const r = await carve([...args, '--out', out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const summary = JSON.parse(r.stdout);
    expect(summary.validation.largest).toBeLessThan(summary.validation.smallest);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(json.settings).toMatchObject({ strategy: 'sandwich-kd', sampler: 'calibrated' });
    expect(json.evaluation.largest.params).toBe(260032);
  });
});
