import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeWithAssets, haveAssets, STORIES260K, TINYSTORIES_VALID, TOK512 } from '@carve/test-assets';
import { runCli } from './main';

/** Runs the CLI in-process and captures what it writes. */
async function carve(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** The greedy text documented in the assets README (the block after "gives exactly this text"). */
function documentedGreedyText(): string {
  const readme = fs.readFileSync(path.join(path.dirname(path.dirname(STORIES260K)), 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf('gives exactly this text'));
  return after.split('```')[1].replace(/^\n/, '');
}

describeWithAssets('carve generate on stories260K', () => {
  test('greedy decoding prints exactly the documented text (through the real bin)', () => {
    const bin = path.resolve(__dirname, '../bin/carve.js');
    const out = execFileSync('node', [bin, 'generate', '--checkpoint', STORIES260K, '--tokenizer', TOK512, '--max-new-tokens', '256', '--temperature', '0'], { encoding: 'utf8' });
    expect(out).toBe(documentedGreedyText());
  });

  test('sampling is seeded: the same seed prints the same text', async () => {
    const args = ['generate', '--checkpoint', STORIES260K, '--tokenizer', TOK512, '--max-new-tokens', '40', '--temperature', '0.9', '--top-p', '0.9', '--prompt', 'Once upon a time'];
    const a = await carve(...args, '--seed', '7');
    const b = await carve(...args, '--seed', '7');
    const c = await carve(...args, '--seed', '8');
    expect(a.code).toBe(0);
    expect(a.stdout.startsWith('Once upon a time')).toBe(true);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });
});

describeWithAssets('carve eval-loss on stories260K', () => {
  test('prints the loss and perplexity as JSON', async () => {
    const text = fs.readFileSync(TINYSTORIES_VALID, 'utf8').slice(0, 20000);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'carve-')), 'valid.txt');
    fs.writeFileSync(file, text);
    const { code, stdout } = await carve('eval-loss', '--checkpoint', STORIES260K, '--tokenizer', TOK512, '--data', file, '--seq-len', '128');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ seqLen: 128 });
    expect(result.loss).toBeGreaterThan(1);
    expect(result.loss).toBeLessThan(2.5); // a trained model: far below ln(512) = 6.24
    expect(result.perplexity).toBeCloseTo(Math.exp(result.loss), 6);
    expect(result.tokens).toBe(result.windows * 128);
  });
});

describe('bad input: one line on stderr, exit code 2, no stack trace', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-bad-'));
  const truncated = path.join(dir, 'truncated.bin');
  const notModel = path.join(dir, 'notes.bin');
  const text = path.join(dir, 'text.txt');
  fs.writeFileSync(text, 'hello');
  fs.writeFileSync(notModel, Buffer.from('this is not a checkpoint at all, just text'));
  if (haveAssets) fs.writeFileSync(truncated, fs.readFileSync(STORIES260K).subarray(0, 5000));
  const tok = haveAssets ? TOK512 : path.join(dir, 'missing-tok.bin');

  const cases: [string, string[], RegExp][] = [
    ['a missing checkpoint', ['generate', '--checkpoint', path.join(dir, 'nope.bin'), '--tokenizer', tok], /nope\.bin/],
    ['a missing tokenizer', ['generate', '--checkpoint', notModel, '--tokenizer', path.join(dir, 'nope-tok.bin')], /nope-tok\.bin: no such file or folder/],
    ['a bad number', ['generate', '--checkpoint', notModel, '--tokenizer', tok, '--max-new-tokens', 'lots'], /--max-new-tokens.*must be a positive integer/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a missing required option', ['eval-loss', '--checkpoint', notModel], /required option '--tokenizer <path>' not specified/],
  ];
  if (haveAssets) {
    cases.push(
      ['a truncated checkpoint', ['generate', '--checkpoint', truncated, '--tokenizer', tok], /truncated\.bin: truncated: 5000 bytes, the header's sizes need 1056540/],
      ['a file that is not a checkpoint', ['generate', '--checkpoint', notModel, '--tokenizer', tok], /notes\.bin: not a llama2\.c checkpoint/],
      ['a text shorter than one window', ['eval-loss', '--checkpoint', STORIES260K, '--tokenizer', tok, '--data', text, '--seq-len', '64'], /text\.txt: \d+ tokens, fewer than one window of --seq-len 64 \+ 1/],
      ['a window longer than the model', ['eval-loss', '--checkpoint', STORIES260K, '--tokenizer', tok, '--data', text, '--seq-len', '9999'], /--seq-len 9999 exceeds the model's block size 512/],
    );
  }
  test.each(cases)('%s', async (_what, argv, message) => {
    const { code, stderr } = await carve(...argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('--help works for every command', async () => {
    for (const command of [[], ['generate'], ['eval-loss'], ['importance']]) {
      const { code, stdout } = await carve(...command, '--help');
      expect(code).toBe(0);
      expect(stdout).toMatch(/Usage: carve/);
    }
  });

  test('the real bin exits with the same code', () => {
    const bin = path.resolve(__dirname, '../bin/carve.js');
    const result = spawnSync('node', [bin, 'generate', '--checkpoint', path.join(dir, 'nope.bin'), '--tokenizer', tok], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
