import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSafetensors } from '@carve/model';
import { describeWithAssets, STORIES260K, TINYSTORIES_TRAIN, TINYSTORIES_VALID, TOK512 } from '@carve/test-assets';
import { carve } from '../testing/run-cli';


const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-importance-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A small calibration of stories260K: 16 sequences of 64 tokens, two batches. */
const importance = (out: string, extra: string[] = [], data = TINYSTORIES_TRAIN) => [
  'importance', '--checkpoint', STORIES260K, '--tokenizer', TOK512, '--data', data,
  '--samples', '16', '--seq-len', '64', '--out', out, ...extra, // a repeated option's last value wins
];

describeWithAssets('carve importance on stories260K', () => {
  const out = path.join(tmp, 'sorted');
  let run: Awaited<ReturnType<typeof carve>>;
  beforeAll(async () => {
    run = await carve(importance(out));
  });

  test('exits 0 and prints a one-line summary', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(''); // no progress when stderr is not a terminal
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ out, model: 'stories260K', parameters: 260032, statistic: 'mean-abs', layerScoring: 'block', scope: 'global', samples: 16, seqLen: 64, heads: 40, neurons: 5 * 172, channels: 64 });
    expect([...summary.layerOrder].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  test('importance.json holds the scores, orders and calibration record, with the right shapes', () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, 'importance.json'), 'utf8'));
    expect(json).toMatchObject({ model: { name: 'stories260K', family: 'llama', parameters: 260032 }, statistic: 'mean-abs', layerScoring: 'block', scope: 'global' });
    expect(Object.keys(json.carve)).toEqual(['@carve/cli', '@carve/importance', '@carve/model', '@carve/engine']);
    const { heads, neurons, channels, layers } = json.scores;
    expect(heads.map((layer: number[][]) => layer.map((g) => g.length))).toEqual(Array(5).fill([2, 2, 2, 2])); // 5 layers × 4 KV groups × 2 queries
    expect(neurons.map((layer: number[]) => layer.length)).toEqual(Array(5).fill(172));
    expect(channels).toHaveLength(64);
    expect(layers).toHaveLength(5);
    expect([heads, neurons, channels, layers].flat(3).every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    expect(json.orders.channels.slice().sort((a: number, b: number) => a - b)).toEqual([...Array(64).keys()]);
    expect(json.orders.neurons).toHaveLength(5);
    expect(json.calibration).toMatchObject({ seqLen: 64, samples: 16, seed: 0, files: [{ path: TINYSTORIES_TRAIN }] });
    expect(json.calibration.windows).toHaveLength(16);
  });

  test('model/ is a complete Hugging Face folder with the orders and calibration in the safetensors metadata', () => {
    const model = path.join(out, 'model');
    expect(fs.readdirSync(model).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'importance.json'), 'utf8'));
    const metadata = openSafetensors(path.join(model, 'model.safetensors')).metadata;
    expect(metadata.format).toBe('pt');
    expect(JSON.parse(metadata['carve.orders'])).toEqual(json.orders);
    expect(JSON.parse(metadata['carve.calibration'])).toEqual(json.calibration);
    expect(JSON.parse(metadata['carve.importance'])).toEqual({ statistic: 'mean-abs', layerScoring: 'block', scope: 'global' });
  });

  test('the permuted model computes the same function: eval-loss on model/ equals the original', async () => {
    const text = path.join(tmp, 'valid.txt');
    fs.writeFileSync(text, fs.readFileSync(TINYSTORIES_VALID, 'utf8').slice(0, 20000));
    const loss = async (checkpoint: string, tokenizer: string) => {
      const { code, stdout } = await carve(['eval-loss', '--checkpoint', checkpoint, '--tokenizer', tokenizer, '--data', text, '--seq-len', '128']);
      expect(code).toBe(0);
      return JSON.parse(stdout) as { loss: number; tokens: number };
    };
    const original = await loss(STORIES260K, TOK512);
    const permuted = await loss(path.join(out, 'model'), path.join(out, 'model', 'tokenizer.json'));
    expect(permuted.tokens).toBe(original.tokens); // the converted tokenizer encodes alike
    expect(Math.abs(permuted.loss - original.loss)).toBeLessThan(1e-4);
  });

  test('an existing --out is refused without --force and left untouched', async () => {
    const existing = path.join(tmp, 'existing');
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, 'keep.txt'), 'mine');
    const { code, stdout, stderr } = await carve(importance(existing));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`carve: --out ${existing}: already exists; pass --force to replace it, or another folder\n`);
    expect(fs.readdirSync(existing)).toEqual(['keep.txt']);
  });

  test('--force replaces it with the complete result; a terminal sees progress', async () => {
    const existing = path.join(tmp, 'replaced');
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, 'old.txt'), 'old');
    const { code, stderr } = await carve(importance(existing, ['--force', '--scope', 'per-layer', '--statistic', 'l2']), true);
    expect(code).toBe(0);
    expect(stderr).toBe('\rscoring: batch 1/2\rscoring: batch 2/2\n');
    expect(fs.readdirSync(existing).sort()).toEqual(['importance.json', 'model']);
    expect(JSON.parse(fs.readFileSync(path.join(existing, 'importance.json'), 'utf8'))).toMatchObject({ statistic: 'l2', scope: 'per-layer' });
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.'))).toEqual([]); // no temporary folder left
  });

  describe('bad input: exit 2, one line, no folder', () => {
    const short = path.join(tmp, 'short.txt');
    fs.writeFileSync(short, 'Once upon a time there was a cat.');
    const cases: [string, string[], string, RegExp][] = [
      ['a text shorter than one sequence', [], short, /^carve: calibration: .*short\.txt gives \d+ tokens, fewer than one sequence of 64 \+ 1$/],
      ['a sequence longer than the model', ['--seq-len', '9999'], TINYSTORIES_TRAIN, /^carve: --seq-len 9999 exceeds the model's block size 512$/],
      ['an unknown statistic', ['--statistic', 'median'], TINYSTORIES_TRAIN, /^carve: --statistic median: unknown \(known: mean-abs, l2, variance\)$/],
      ['a missing --data file', [], path.join(tmp, 'nope.txt'), /^carve: --data .*nope\.txt: no such file$/],
      ['more samples than the text holds', ['--samples', '100000'], TINYSTORIES_TRAIN, /^carve: calibration: 100000 samples asked, but .* gives only \d+ sequences of 64 \+ 1 tokens$/],
      ['several problems at once', ['--statistic', 'median', '--layer-scoring', 'prune', '--scope', 'local'], path.join(tmp, 'nope.txt'), /^carve: --statistic median: unknown .*; --layer-scoring prune: unknown \(known: block, drop\); --scope local: unknown \(known: global, per-layer\); --data .*nope\.txt: no such file$/],
    ];
    test.each(cases)('%s', async (_what, extra, data, message) => {
      const bad = path.join(tmp, 'bad', 'out');
      const { code, stdout, stderr } = await carve(importance(bad, extra, data));
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr.trimEnd()).toMatch(message);
      expect(fs.existsSync(path.dirname(bad))).toBe(false);
    });
  });

  test('--help lists the options', async () => {
    const { code, stdout } = await carve(['importance', '--help']);
    expect(code).toBe(0);
    for (const option of ['--checkpoint', '--tokenizer', '--data', '--out', '--seq-len', '--samples', '--statistic', '--layer-scoring', '--scope', '--seed', '--batch-size', '--threads', '--force']) {
      expect(stdout).toContain(option);
    }
  });
});
