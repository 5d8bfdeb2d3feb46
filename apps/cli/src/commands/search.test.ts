import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '@carve/engine';
import { initWeights, resolveConfig, saveHfCheckpoint } from '@carve/model';
import { dominates } from '@carve/optimizer';
import { describeWithAssets, STORIES260K, TINYSTORIES_TRAIN, TINYSTORIES_VALID, TOK512 } from '@carve/test-assets';
import { carve } from '../testing/run-cli';

const BIN = path.resolve(__dirname, '../../bin/carve.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-search-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const at = (...names: string[]) => path.join(tmp, ...names);
const json = (...names: string[]) => JSON.parse(fs.readFileSync(at(...names), 'utf8'));

/** A tiny random llama over 40 token ids, saved as a Hugging Face folder. */
const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 40, nEmbd: 16, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 24, blockSize: 16 });
const MODEL = at('model');
saveHfCheckpoint({ config, weights: initWeights(config, new Rng(1), 0.3) }, MODEL);

describe('carve search on a tiny random model', () => {
  // Objectives that are exact functions of the choice, so that runs compare trial for trial.
  const base = (out: string, extra: string[] = []) => ['search', '--checkpoint', MODEL, '--objectives', 'magnitude,params', '--budget', '14', '--out', out, ...extra];
  const small: Record<string, string> = { nsga2: '{"population":6}', 'mo-rea': '{"population":6,"sampleSize":3}', parego: '{"initial":6,"candidates":200}', 'local-search': '{}', random: '{}' };

  test('writes search.json, trials.json and front.json and prints the front as a table', async () => {
    const out = at('run');
    const run = await carve(base(out, ['--strategy-options', small.nsga2]));
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(fs.readdirSync(out).sort()).toEqual(['front.json', 'search.json', 'trials.json']);
    const trials = json('run', 'trials.json');
    expect(trials).toHaveLength(14);
    expect(trials[0].params).toBeGreaterThan(trials[1].params); // anchors first: the largest, then the smallest
    const front = json('run', 'front.json');
    expect(front.objectives).toEqual([{ name: 'magnitude', direction: 'maximize' }, { name: 'params', direction: 'minimize' }]);
    const point = (t: { objectives: Record<string, number> }) => [-t.objectives.magnitude, t.objectives.params];
    for (const member of front.members) expect(trials.some((t: never) => dominates(point(t), point(member)))).toBe(false);
    for (const t of trials) if (!front.members.some((m: { index: number }) => m.index === t.index)) expect(front.members.some((m: never) => dominates(point(m), point(t)))).toBe(true);
    expect(front.reference).toHaveLength(2);
    expect(front.hypervolume).toBeGreaterThan(0);
    const table = run.stdout.split('\n');
    expect(table[0]).toMatch(/^trial\s+params\s+magnitude ↑\s+params ↓\s+sub-network$/);
    expect(table).toHaveLength(front.members.length + 3); // header, members, summary, final newline
    expect(run.stdout).toContain(`Pareto-optimal of 14 trials; hypervolume`);
  });

  test('a search stopped after 5 trials and resumed makes the same trials as an uninterrupted one', async () => {
    for (const strategy of Object.keys(small)) {
      const whole = at(`whole-${strategy}`);
      const part = at(`part-${strategy}`);
      const chosen = ['--strategy', strategy, '--strategy-options', small[strategy]];
      expect(await carve(base(whole, chosen))).toMatchObject({ code: 0, stderr: '' });
      const first = await carve(base(part, [...chosen, '--stop-after', '5']));
      expect([first.code, first.stdout]).toEqual([0, `stopped after 5 of 14 trials; continue with --resume (state in ${path.join(part, 'search.json')})\n`]);
      expect(fs.existsSync(path.join(part, 'trials.json'))).toBe(false);
      const resumed = await carve(['search', '--out', part, '--resume', '--threads', '2']);
      expect([resumed.code, resumed.stderr]).toEqual([0, '']);
      expect(json(`part-${strategy}`, 'trials.json')).toEqual(json(`whole-${strategy}`, 'trials.json'));
    }
  });

  test('constraints keep infeasible members off the front', async () => {
    const free = json('run', 'trials.json').map((t: { params: number }) => t.params).sort((a: number, b: number) => a - b);
    const bound = free[Math.floor(free.length / 2)];
    const run = await carve(base(at('constrained'), ['--strategy-options', small.nsga2, '--constraint', `params<=${bound}`]));
    expect(run.code).toBe(0);
    const front = json('constrained', 'front.json');
    expect(front.constraints).toEqual([{ objective: 'params', max: bound }]);
    expect(front.members.length).toBeGreaterThan(0);
    for (const m of front.members) expect(m.params).toBeLessThanOrEqual(bound);
    const infeasible = json('constrained', 'trials.json').filter((t: { feasible: boolean }) => !t.feasible);
    expect(infeasible.length).toBeGreaterThan(0); // the largest anchor, at least
    for (const t of infeasible) expect(t.violation).toBeGreaterThan(0);
  });

  test('a predicted latency is fitted on measured members, and the front is re-measured', async () => {
    const options = '{"latency-predicted":{"trainSize":8,"holdout":4,"repeats":3,"warmup":1,"seqLen":8}}';
    const run = await carve(['search', '--checkpoint', MODEL, '--objectives', 'params,latency-predicted', '--objective-options', options, '--budget', '8', '--strategy', 'random', '--out', at('predicted')]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const front = json('predicted', 'front.json');
    for (const m of front.members) {
      expect(m.details['latency-predicted.predicted']).toBe(1);
      expect(m.details['latency-predicted.mape']).toBeGreaterThanOrEqual(0);
      expect(m.remeasured['latency-predicted']).toBeGreaterThan(0);
    }
    expect(run.stdout.split('\n')[0]).toMatch(/latency-predicted ↓\s+latency-predicted \(measured\)\s+sub-network$/);
  });

  test('a search killed (SIGKILL) part-way and resumed makes the same trials as an uninterrupted one', async () => {
    const chosen = ['--budget', '120', '--strategy', 'mo-rea', '--strategy-options', small['mo-rea']];
    const whole = at('kill-whole');
    expect((await carve([...base(whole), ...chosen])).code).toBe(0);
    const part = at('kill-part');
    const child = spawn(process.execPath, [BIN, ...base(part), ...chosen], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill once some trials are on disk: wherever the kill lands (mid-evaluation, mid-write), the log holds whole trials.
    const recorded = () => {
      try {
        return JSON.parse(fs.readFileSync(path.join(part, 'search.json'), 'utf8')).state.trials.length as number;
      } catch {
        return 0;
      }
    };
    while (recorded() < 10 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGKILL');
    await exited;
    const done = recorded();
    console.log(`killed after ${done} recorded trials`);
    if (done >= 120) console.warn('the search finished before it could be killed: the resume below has nothing to do');
    const resumed = await carve(['search', '--out', part, '--resume']);
    expect([resumed.code, resumed.stderr]).toEqual(done >= 120 ? [2, expect.stringContaining('is complete')] : [0, '']);
    if (done < 120) expect(json('kill-part', 'trials.json')).toEqual(json('kill-whole', 'trials.json'));
  });

  test('--resume refuses changed settings and a finished search', async () => {
    const changed = await carve(['search', '--out', at('run'), '--resume', '--budget', '20', '--strategy', 'random']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain(`these change the search's settings (from ${path.join(at('run'), 'search.json')}): strategy, budget;`);
    const done = await carve(['search', '--out', at('run'), '--resume']);
    expect(done.stderr).toBe(`carve: --resume: the search in ${at('run')} is complete (14 of 14 trials)\n`);
  });

  test('bad input: each problem named, exit 2, nothing written', async () => {
    const out = at('bad');
    const run = await carve(['search', '--checkpoint', MODEL, '--objectives', 'params,speed', '--strategy', 'annealing', '--constraint', 'latency<=5', '--constraint', 'params<<3', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--strategy annealing: unknown strategy (known: ');
    expect(run.stderr).toContain('--objectives speed: unknown objective (known: ');
    expect(run.stderr).toContain("--constraint on 'latency': not an objective of this search (params, speed)");
    expect(run.stderr).toContain('--constraint params<<3: expected OBJECTIVE<=NUMBER');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    const zero = await carve(['search', '--checkpoint', MODEL, '--objectives', 'params', '--budget', '0', '--out', out]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("option '--budget <n>' argument '0' is invalid. must be a positive integer.");
    const noText = await carve(['search', '--checkpoint', MODEL, '--objectives', 'val-loss,params', '--out', out]);
    expect(noText.stderr).toBe('carve: val-loss need held-out text: give --val FILE and --tokenizer PATH\n');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describeWithAssets('carve search on stories260K after super-network training', () => {
  test('the front of val-loss against measured latency spans at least 3× in latency', async () => {
    const trained = at('stories-train');
    const train = await carve(['train', '--checkpoint', STORIES260K, '--tokenizer', TOK512, '--data', TINYSTORIES_TRAIN, '--validation-fraction', '0', '--steps', '30', '--batch-size', '4', '--seq-len', '128', '--eval-every', '30', '--threads', '2', '--out', trained]);
    expect([train.code, train.stderr]).toEqual([0, '']);
    const out = at('stories-search');
    const run = await carve([
      'search', '--checkpoint', STORIES260K, '--lora', path.join(trained, 'adapters.safetensors'), '--tokenizer', TOK512, '--val', TINYSTORIES_VALID,
      '--objectives', 'val-loss,latency', '--objective-options', '{"val-loss":{"seqLen":128,"windows":8},"latency":{"seqLen":128,"threads":1,"repeats":15}}',
      '--strategy', 'nsga2', '--strategy-options', '{"population":10}', '--budget', '30', '--threads', '2', '--out', out,
    ]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const front = JSON.parse(fs.readFileSync(path.join(out, 'front.json'), 'utf8'));
    const latencies = front.members.map((m: { objectives: { latency: number } }) => m.objectives.latency);
    const span = Math.max(...latencies) / Math.min(...latencies);
    console.log(`stories260K front: ${front.members.length} members, latency ${Math.min(...latencies).toFixed(3)}–${Math.max(...latencies).toFixed(3)} ms (span ${span.toFixed(1)}×)\n${run.stdout}`);
    expect(span).toBeGreaterThanOrEqual(3);
  });
});
