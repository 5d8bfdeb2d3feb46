import { runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { PythonRandom } from '../python-random';
import { MultipleChoiceTask } from '../task';
import { createTask, Fixture, prompts, StandInScorer, taskDataError } from '../testing';
import { BoolqDocument, boolqTask } from './boolq';

const fixture = new Fixture();
afterAll(() => fixture.remove());

// super_glue's layout: label 0 (no) or 1 (yes); questions have no question mark.
const VALIDATION = [
  { question: 'is the sun a star', passage: 'The Sun is the star at the centre of the Solar System.', idx: 0, label: 1 },
  { question: 'can penguins fly', passage: 'Penguins are flightless birds of the southern hemisphere.', idx: 1, label: 0 },
  { question: 'is water wet', passage: 'Water is a liquid at room temperature.', idx: 2, label: 1 },
];
const TRAIN = [
  { question: 'is paris in france', passage: 'Paris is the capital of France.', idx: 0, label: 1 },
  { question: 'is ice hot', passage: 'Ice is frozen water.', idx: 1, label: 0 },
];
fixture.jsonl('boolq/validation.jsonl', VALIDATION);
fixture.jsonl('boolq/train.jsonl', TRAIN);
const ctx = { dataDir: fixture.dir };
const boolq = (options = {}) => createTask<MultipleChoiceTask<BoolqDocument>>('boolq', options, ctx);
const prompt = (d: { passage: string; question: string }) => `${d.passage}\nQuestion: ${d.question}?\nAnswer:`;

test('meets the plugin contract: acc alone, 0 shots', async () => {
  const { instances } = await runPluginContract(boolqTask, { invalidOptions: [{ options: { data: '' }, field: 'data' }], context: ctx });
  expect(instances[0]).toMatchObject({ name: 'boolq', version: '1.0.0', metrics: ['acc'], primaryMetric: 'acc', defaultShots: 0 });
});

test('zero-shot: the passage, the question with a question mark, "no" and "yes"', () => {
  expect(prompts(boolq())).toEqual(VALIDATION.map((d) => [[prompt(d), ' no'], [prompt(d), ' yes']]));
  expect(boolq().load().evaluation.documents.map((d) => d.label)).toEqual([1, 0, 1]);
});

test('few-shot: solved examples from train, answered "no" or "yes"', () => {
  const rng = new PythonRandom(1234);
  prompts(boolq(), { shots: 2 }).forEach((requests, i) => {
    const examples = rng.sample(TRAIN, 2).map((e) => `${prompt(e)} ${e.label ? 'yes' : 'no'}\n\n`);
    expect(requests.map(([context]) => context)).toEqual(Array(2).fill(examples.join('') + prompt(VALIDATION[i])));
  });
});

test("google/boolq's layout, answer true or false, reads the same", () => {
  const file = fixture.jsonl('google/validation.jsonl', VALIDATION.map(({ question, passage, label }) => ({ question, answer: label === 1, passage })));
  const task = createTask<MultipleChoiceTask<BoolqDocument>>('boolq', { data: file });
  expect(task.load().evaluation.documents.map((d) => d.label)).toEqual([1, 0, 1]);
  expect(prompts(task)).toEqual(prompts(boolq()));
});

test('acc: the likelier of "no" and "yes"', async () => {
  // The documents answer yes, no, yes; the stand-in finds "yes" likelier for the first two.
  const likelier = (context: string) => (context.startsWith('Water') ? ' no' : ' yes');
  const scorer = new StandInScorer((r) => (r.continuation === likelier(r.context) ? -1 : -2));
  const result = await evaluateTask(boolq(), scorer, { samples: true });
  expect(result.samples!.map((s) => s.metrics.acc)).toEqual([1, 0, 0]);
  expect(Object.keys(result.metrics)).toEqual(['acc']);
  // [1, 0, 0]: mean 1/3, sample variance 1/3, stderr 1/3.
  expect(result.metrics.acc!.value).toBeCloseTo(1 / 3, 12);
  expect(result.metrics.acc!.stderr).toBeCloseTo(1 / 3, 12);
});

test('bad data: a label out of range, neither label nor answer, an answer that is not a boolean', () => {
  const bad = (rows: unknown[]) => taskDataError(() => createTask<MultipleChoiceTask>('boolq', { data: fixture.jsonl('bad/boolq.jsonl', rows) }).load()).message;
  const file = fixture.jsonl('bad/boolq.jsonl', []);
  expect(bad([VALIDATION[0], VALIDATION[1], { ...VALIDATION[2], label: 2 }])).toBe(`task 'boolq': ${file}:3: field 'label' is 2, not the index of one of its 2 answers, no and yes (0 to 1)`);
  expect(bad([{ question: 'q', passage: 'p' }])).toBe(`task 'boolq': ${file}:1: missing field 'label' (0 or 1, as super_glue writes it) or 'answer' (true or false, as google/boolq does)`);
  expect(bad([{ question: 'q', passage: 'p', answer: 'yes' }])).toBe(`task 'boolq': ${file}:1: field 'answer' must be true or false, got "yes"`);
  expect(bad([{ question: 'q', label: 1 }])).toBe(`task 'boolq': ${file}:1: missing field 'passage' (a string)`);
});
