import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeCuda, Rng } from '@carve/engine';
import { Checkpoint, initWeights, paramSpecs, resolveConfig, writeSafetensors } from '@carve/model';
import { jointSpace } from '@carve/search-space';
import { createRegistry } from '../../plugins';
import { applyTrained, describeSubNetwork, frontTable, readSearchRecord, runSearchStep, SEARCH_JSON, SearchStepError, SearchStepOptions } from './index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-search-step-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const read = (...names: string[]) => JSON.parse(fs.readFileSync(path.join(tmp, ...names), 'utf8'));

/** A tiny random llama; objectives that are exact functions of the choice, so runs compare trial for trial. */
const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 });
const model: Checkpoint = { config, weights: initWeights(config, new Rng(1), 0.3) };
const options = (extra: Partial<SearchStepOptions> = {}): SearchStepOptions => ({
  model, space: jointSpace(config), registry: createRegistry([], process.cwd()),
  strategy: 'nsga2', strategyOptions: { population: 6 }, objectives: [{ name: 'magnitude' }, { name: 'params' }], budget: 12, seed: 3,
  inputs: { checkpoint: 'tiny' }, ...extra,
});

describe('runSearchStep', () => {
  test("device 'cuda' where CUDA does not work fails before anything is written", async () => {
    const probe = await probeCuda();
    if (probe.available) return console.log('CUDA is available here: the unavailable-device case is not checked');
    const folder = path.join(tmp, 'cuda');
    await expect(runSearchStep(options({ device: 'cuda' }), folder)).rejects.toMatchObject({ code: 'device_unavailable', message: expect.stringMatching(/^device cuda is not available: /) });
    expect(fs.existsSync(folder)).toBe(false);
  });

  test('writes search.json, trials.json and front.json, reporting each trial', async () => {
    const seen: string[] = [];
    const result = await runSearchStep(options(), path.join(tmp, 'whole'), { onTrial: (t, done, total) => seen.push(`${t.index}:${done}/${total}`) });
    expect(result.stopped).toBe(false);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `${i}:${i + 1}/12`));
    expect(fs.readdirSync(path.join(tmp, 'whole')).sort()).toEqual(['front.json', 'search.json', 'trials.json']);
    expect(read('whole', 'trials.json')).toHaveLength(12);
    const front = read('whole', 'front.json');
    expect(front.members.map((m: { index: number }) => m.index)).toEqual(result.front.map((t) => t.index));
    expect(front.hypervolume).toBe(result.hypervolume);
    expect(read('whole', SEARCH_JSON).settings).toMatchObject({ checkpoint: 'tiny', strategy: 'nsga2', objectives: ['magnitude', 'params'], objectiveOptions: {}, threads: 1 });
    expect(frontTable(result.front, result.objectives, result.remeasured).split('\n')[1]).toContain(describeSubNetwork(result.front[0].choice));
  });

  test('stopped after 5 trials and run again, it makes the same trials as an uninterrupted search', async () => {
    const folder = path.join(tmp, 'part');
    const first = await runSearchStep(options(), folder, { stopAfter: 5 });
    expect([first.stopped, first.trials.length, fs.existsSync(path.join(folder, 'trials.json'))]).toEqual([true, 5, false]);
    const done: number[] = [];
    const second = await runSearchStep(options({ threads: 2 }), folder, { onTrial: (_t, n) => done.push(n) });
    expect(done).toEqual([6, 7, 8, 9, 10, 11, 12]); // the first five are replayed, not evaluated
    expect(second.stopped).toBe(false);
    expect(read('part', 'trials.json')).toEqual(read('whole', 'trials.json'));
  });

  test('refuses a folder whose search has other settings, unless told to restart', async () => {
    const folder = path.join(tmp, 'whole');
    const changed = runSearchStep(options({ budget: 13, inputs: { checkpoint: 'other' } }), folder);
    await expect(changed).rejects.toThrow(SearchStepError);
    await expect(changed).rejects.toThrow(`these change the search's settings (from ${path.join(folder, SEARCH_JSON)}): checkpoint, budget;`);
    const restarted = await runSearchStep(options({ budget: 4, strategy: 'random', strategyOptions: undefined, restart: true }), folder);
    expect(restarted.trials).toHaveLength(4);
    expect(readSearchRecord(path.join(folder, SEARCH_JSON))?.settings.budget).toBe(4);
  });

  test('a search.json it cannot read, and a trained file that does not fit, are user errors naming the file', () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{"format":2}');
    expect(() => readSearchRecord(bad)).toThrow(`${bad}: not written by carve search`);
    expect(readSearchRecord(path.join(tmp, 'none.json'))).toBeUndefined();
    const trained = path.join(tmp, 'adapters.safetensors');
    writeSafetensors(trained, [['x', { shape: [1], data: new Float32Array(1) }]]);
    expect(() => applyTrained(model, trained)).toThrow(expect.objectContaining({ code: 'invalid_trained', message: expect.stringMatching(`^${trained}: not written by`) }));
    const spec = paramSpecs(config)[0];
    writeSafetensors(trained, [[spec.name, { shape: spec.shape, data: model.weights.get(spec.name)! }]], { 'carve.trainable': 'all' });
    expect(() => applyTrained(model, trained)).toThrow(/lacks .* more: trained for another model\?/);
  });
});
