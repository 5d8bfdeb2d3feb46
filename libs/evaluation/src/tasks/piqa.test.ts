import { runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { buildRequests } from '../prompts';
import { PythonRandom } from '../python-random';
import { MultipleChoiceTask } from '../task';
import { byContinuation, createTask, Fixture, prompts, taskDataError } from '../testing';
import { PiqaDocument, piqaTask } from './piqa';

const fixture = new Fixture();
afterAll(() => fixture.remove());

const VALIDATION = [
  { goal: 'To keep bread fresh,', sol1: 'seal it in a bag.', sol2: 'leave it in the sun for a week.', label: 0 },
  { goal: 'How do I open a jar?', sol1: 'Twist the lid.', sol2: 'Run the lid under hot water, then twist it.', label: 1 },
  { goal: 'Dry wet shoes', sol1: 'with newspaper inside them.', sol2: 'in the freezer.', label: 0 },
];
const TRAIN = [
  { goal: 'Boil an egg', sol1: 'in water for nine minutes.', sol2: 'in oil for an hour.', label: 0 },
  { goal: 'Cut paper', sol1: 'with a spoon.', sol2: 'with scissors.', label: 1 },
  { goal: 'Light a room', sol1: 'turn on a lamp.', sol2: 'open the fridge.', label: 0 },
  { goal: 'Cool soup', sol1: 'stir it in the pot on the fire.', sol2: 'blow on it.', label: 1 },
];
fixture.jsonl('piqa/validation.jsonl', VALIDATION);
fixture.jsonl('piqa/train.jsonl', TRAIN);
const ctx = { dataDir: fixture.dir };
const piqa = () => createTask<MultipleChoiceTask<PiqaDocument>>('piqa', {}, ctx);
const prompt = (d: { goal: string }) => `Question: ${d.goal}\nAnswer:`;

test('meets the plugin contract: validation scored, examples from train, acc and acc_norm, 0 shots', async () => {
  const { instances } = await runPluginContract(piqaTask, { invalidOptions: [{ options: { data: 3 }, field: 'data' }], context: ctx });
  expect(instances[0]).toMatchObject({ name: 'piqa', version: '1.0.0', metrics: ['acc', 'acc_norm'], primaryMetric: 'acc', defaultShots: 0 });
  expect(buildRequests(piqa(), { shots: 1 }).record).toMatchObject({ evaluationSplit: 'validation', fewshotSplit: 'train' });
});

test('zero-shot and one-shot prompts: the goal as a question, the two solutions as answers', () => {
  expect(prompts(piqa())).toEqual(VALIDATION.map((d) => [[prompt(d), ` ${d.sol1}`], [prompt(d), ` ${d.sol2}`]]));
  const rng = new PythonRandom(1234);
  prompts(piqa(), { shots: 1 }).forEach((requests, i) => {
    const [example] = rng.sample(TRAIN, 1);
    const context = `${prompt(example)} ${example.label ? example.sol2 : example.sol1}\n\n${prompt(VALIDATION[i])}`;
    expect(requests).toEqual([[context, ` ${VALIDATION[i].sol1}`], [context, ` ${VALIDATION[i].sol2}`]]);
  });
});

test('acc and acc_norm differ where the solutions differ in length', async () => {
  // 1: sol1 (17 chars) at -10 beats sol2 (31) at -12, but per character sol2 wins: acc 1, acc_norm 0.
  // 2: sol2 (43) at -20 loses to sol1 (14) at -15, per character it wins: acc 0, acc_norm 1.
  // 3: sol1 both ways: 1, 1.
  const scorer = byContinuation({ ' seal it in a bag.': -10, ' leave it in the sun for a week.': -12, ' Twist the lid.': -15, ' Run the lid under hot water, then twist it.': -20, ' with newspaper inside them.': -5, ' in the freezer.': -9 });
  const result = await evaluateTask(piqa(), scorer, { samples: true });
  expect(result.samples!.map((s) => [s.metrics.acc, s.metrics.acc_norm])).toEqual([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  expect(result.metrics.acc!.value).toBeCloseTo(2 / 3, 12);
  expect(result.metrics.acc_norm!.value).toBeCloseTo(2 / 3, 12);
  // [1, 0, 1]: sample variance 1/3, stderr √(1/9).
  expect(result.metrics.acc!.stderr).toBeCloseTo(1 / 3, 12);
});

test('bad data: a label out of range, a missing solution, a line that is not an object, a missing file', () => {
  const bad = (rows: unknown[]) => taskDataError(() => createTask<MultipleChoiceTask>('piqa', { data: fixture.jsonl('bad/piqa.jsonl', rows) }).load()).message;
  const file = fixture.jsonl('bad/piqa.jsonl', []);
  expect(bad([VALIDATION[0], { ...VALIDATION[1], label: 2 }])).toBe(`task 'piqa': ${file}:2: field 'label' is 2, not the index of one of its 2 solutions (0 to 1)`);
  expect(bad([{ goal: 'x', sol1: 'y', label: 0 }])).toBe(`task 'piqa': ${file}:1: missing field 'sol2' (a string)`);
  expect(bad([VALIDATION[0], [1, 2]])).toBe(`task 'piqa': ${file}:2: expected a JSON object, got an array`);
  expect(bad([{ ...VALIDATION[0], label: -1 }])).toMatch(/piqa\.jsonl:1: field 'label' is -1/);
  expect(taskDataError(() => createTask<MultipleChoiceTask>('piqa', { data: `${fixture.dir}/none.jsonl` }).load()).message).toMatch(/none\.jsonl: cannot read it \(ENOENT\)$/);
  // No data at all.
  expect(taskDataError(() => createTask<MultipleChoiceTask>('piqa').load()).message).toMatch(/^task 'piqa': no data/);
});
