import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeWithAssets, STORIES260K, TINYSTORIES_VALID, TOK512 } from '@carve/test-assets';
import { carve } from '../testing/run-cli';


const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-calibrate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A small calibrated grid of stories260K: 5 bins of 2 candidates. */
const calibrate = (out: string, extra: string[] = []) => ['calibrate', '--checkpoint', STORIES260K, '--bins', '5', '--per-bin', '2', '--out', out, ...extra];

describeWithAssets('carve calibrate on stories260K', () => {
  test('by weight magnitude: the grid as JSON and an SVG beside it, a summary on stdout', async () => {
    const out = path.join(tmp, 'magnitude', 'grid.json');
    const { code, stdout, stderr } = await carve(calibrate(out, ['--seed', '2']));
    expect([code, stderr]).toEqual([0, '']);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ out, svg: path.join(tmp, 'magnitude', 'grid.svg'), model: 'stories260K', space: 'joint', bins: 5, perBin: 2, rank: 'magnitude' });
    expect(summary.points).toBeGreaterThanOrEqual(5); // a bin's best may be an end itself
    expect(summary.points).toBeLessThanOrEqual(7); // one per bin and both ends
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['grid.json', 'grid.svg']); // no temporary file left

    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json).toMatchObject({ model: { name: 'stories260K', checkpoint: STORIES260K, parameters: 260032 }, space: { name: 'joint', size: '1120' }, sampler: { name: 'calibrated', options: { bins: 5, perBin: 2, rank: 'magnitude' } }, seed: 2, calibration: null });
    expect(json.grid.map((p: { params: number }) => p.params)).toEqual(summary.params);
    expect([json.grid[0].params, json.grid[json.grid.length - 1].params]).toEqual([10816, 260032]);
    expect(json.histogram.counts).toEqual(summary.counts);
    expect(json.histogram.counts.every((c: number) => c >= 1)).toBe(true); // the grid covers every bin
    expect(fs.readFileSync(path.join(tmp, 'magnitude', 'grid.svg'), 'utf8').match(/<rect class="bar"/g)).toHaveLength(5);

    const again = await carve(calibrate(out, ['--seed', '2', '--force']));
    expect(JSON.parse(again.stdout)).toEqual(summary); // the same seed, the same grid
  });

  test('by perplexity on calibration text: records the calibration set; a terminal sees progress', async () => {
    const out = path.join(tmp, 'perplexity.json');
    const { code, stdout, stderr } = await carve(
      ['calibrate', '--checkpoint', STORIES260K, '--bins', '2', '--per-bin', '2', '--data', TINYSTORIES_VALID, '--tokenizer', TOK512, '--samples', '2', '--seq-len', '32', '--out', out],
      true,
    );
    expect(code).toBe(0);
    expect(stderr).toBe('\rcalibrate: scored 1/4\rcalibrate: scored 2/4\rcalibrate: scored 3/4\rcalibrate: scored 4/4\n');
    expect(JSON.parse(stdout)).toMatchObject({ rank: 'perplexity', points: 4 });
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json).toMatchObject({ rank: 'perplexity', sampler: { options: { rank: 'score' } }, calibration: { seqLen: 32, samples: 2, seed: 0, files: [{ path: TINYSTORIES_VALID }] } });
    expect(fs.existsSync(path.join(tmp, 'perplexity.svg'))).toBe(true);
  });

  test('an existing --out is refused without --force and left untouched', async () => {
    const out = path.join(tmp, 'existing.json');
    fs.writeFileSync(out, 'mine');
    const { code, stdout, stderr } = await carve(calibrate(out));
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toBe(`carve: --out ${out}: already exists; pass --force to replace it, or another file name\n`);
    expect(fs.readFileSync(out, 'utf8')).toBe('mine');
    expect(fs.existsSync(path.join(tmp, 'existing.svg'))).toBe(false);
  });

  describe('bad input: exit 2, one line, nothing written', () => {
    const cases: [string, string[], string][] = [
      ['a preset has no weights', ['calibrate', '--preset', 'stories260K'], '--preset stories260K: a preset has no weights, and ranking by magnitude needs them; give --checkpoint'],
      ['perplexity without text or tokenizer', [...calibrate('x').slice(0, 3), '--rank', 'perplexity'], '--rank perplexity needs calibration text: --data FILE...; --rank perplexity needs --tokenizer PATH'],
      ['an unknown ranking', [...calibrate('x').slice(0, 3), '--rank', 'loss'], '--rank loss: unknown (known: magnitude, perplexity)'],
      ['one bin', [...calibrate('x').slice(0, 3), '--bins', '1'], "sampler 'calibrated' options: bins: must be >= 2 (got 1)"],
      ['an unknown space', [...calibrate('x').slice(0, 3), '--space', 'grid'], 'unknown search-space plugin "grid" (search-space plugins: explicit, joint, layerwise)'],
    ];
    test.each(cases)('%s', async (_what, argv, message) => {
      const out = path.join(tmp, 'bad', 'grid.json');
      const { code, stdout, stderr } = await carve([...argv, '--out', out]);
      expect([code, stdout, stderr]).toEqual([2, '', `carve: ${message}\n`]);
      expect(fs.existsSync(path.dirname(out))).toBe(false);
    });
  });
});
