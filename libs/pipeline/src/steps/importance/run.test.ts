import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeCuda } from '@carve/engine';
import { describeWithAssets, STORIES260K, TINYSTORIES_TRAIN, TOK512 } from '@carve/test-assets';
import { ImportanceStepOptions, runImportanceStep } from './run';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-importance-step-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const options: ImportanceStepOptions = {
  checkpoint: STORIES260K,
  tokenizer: TOK512,
  data: [TINYSTORIES_TRAIN],
  seqLen: 64,
  samples: 8,
  statistic: 'mean-abs',
  layerScoring: 'drop',
  scope: 'global',
  seed: 0,
  batchSize: 8,
  threads: 1,
};

describeWithAssets('runImportanceStep on stories260K', () => {
  test('writes importance.json and model/, replacing an earlier run whole; progress names the passes after the batches', async () => {
    const folder = path.join(tmp, 'importance');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'stale.txt'), 'old');
    const progress: number[][] = [];
    const { record, seqLen } = await runImportanceStep(options, folder, { onProgress: (...args) => progress.push(args) });
    expect(seqLen).toBe(64);
    expect(progress.at(-1)).toEqual([progress.length, progress.length, 6]); // 5 layers dropped, and none
    expect(fs.readdirSync(folder).sort()).toEqual(['importance.json', 'model']);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.'))).toEqual([]);
    const json = JSON.parse(fs.readFileSync(path.join(folder, 'importance.json'), 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(record)));
    expect(Object.keys(json.carve)).toEqual(['@carve/pipeline', '@carve/importance', '@carve/model', '@carve/engine']);
    expect(fs.readdirSync(path.join(folder, 'model')).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  });

  test('problems found with the model name the run spec fields, and nothing is written', async () => {
    const folder = path.join(tmp, 'bad');
    await expect(runImportanceStep({ ...options, seqLen: 9999 }, folder)).rejects.toThrow(/^importance\.seqLen 9999 exceeds the model's block size 512$/);
    expect(fs.existsSync(folder)).toBe(false);
  });

  test("device 'cuda' where CUDA does not work fails before scoring, and nothing is written", async () => {
    const probe = await probeCuda();
    if (probe.available) return console.log('CUDA is available here: the unavailable-device case is not checked');
    const folder = path.join(tmp, 'cuda');
    await expect(runImportanceStep({ ...options, device: 'cuda' }, folder)).rejects.toMatchObject({ code: 'device_unavailable' });
    expect(fs.existsSync(folder)).toBe(false);
  });
});
