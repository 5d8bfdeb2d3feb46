import { runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { buildRequests } from '../prompts';
import { PartialScoringTask } from '../task';
import { createTask, Fixture, StandInScorer, taskDataError } from '../testing';
import { WinograndeDocument, winograndeTask } from './winogrande';

const fixture = new Fixture();
afterAll(() => fixture.remove());

const doc = (sentence: string, option1: string, option2: string, answer: string) => ({ sentence, option1, option2, answer });
const VALIDATION = [
  doc("The trophy doesn't fit into the brown suitcase because the _ is too large.", 'trophy', 'suitcase', '1'),
  doc('Sarah was a much better surgeon than Maria so _ always got the harder cases.', 'Sarah', 'Maria', '2'),
];
const TRAIN = [
  doc('The cat chased the mouse because _ was hungry.', 'the cat', 'the mouse', '1'),
  doc('Ian gave his coat to Tom since _ was cold.', 'Ian', 'Tom', '2'),
  doc('The glass broke on the stone floor because the _ was fragile.', 'glass', 'floor', '1'),
  doc('Anna taught Beth to swim, so _ was grateful.  ', 'Anna', 'Beth', '2'),
  doc('The road was closed, so the bus took the bridge; the _ was flooded.', 'road', 'bridge', '1'),
  doc('The tree fell on the car, and the _ was crushed.', 'tree', 'car', '2'),
];
fixture.jsonl('winogrande/validation.jsonl', VALIDATION);
fixture.jsonl('winogrande/train.jsonl', TRAIN);
const ctx = { dataDir: fixture.dir };
const winogrande = () => createTask<PartialScoringTask<WinograndeDocument>>('winogrande', {}, ctx);

test('meets the plugin contract: partial scoring, acc, 5 shots', async () => {
  const { instances } = await runPluginContract(winograndeTask, { invalidOptions: [{ options: { data: '' }, field: 'data' }], context: ctx });
  expect(instances[0]).toMatchObject({ name: 'winogrande', version: '1.0.0', outputType: 'multiple_input', metrics: ['acc'], primaryMetric: 'acc', defaultShots: 5 });
});

test('zero-shot: each option fills the blank and ends its prompt; the rest of the sentence, stripped, follows each after a space', () => {
  const { documents } = buildRequests(winogrande(), { shots: 0 });
  expect(documents[0].requests).toEqual([
    { context: "The trophy doesn't fit into the brown suitcase because the trophy", continuation: ' is too large.' },
    { context: "The trophy doesn't fit into the brown suitcase because the suitcase", continuation: ' is too large.' },
  ]);
  expect(documents[1].requests).toEqual([
    { context: 'Sarah was a much better surgeon than Maria so Sarah', continuation: ' always got the harder cases.' },
    { context: 'Sarah was a much better surgeon than Maria so Maria', continuation: ' always got the harder cases.' },
  ]);
  expect(documents.map((d) => d.doc.gold)).toEqual([0, 1]);
});

test('few-shot (the default 5): each example is the sentence filled with its right option, drawn from train', () => {
  const { documents, record } = buildRequests(winogrande());
  // python3 -c 'import random; r = random.Random(1234); print([r.sample(range(6), 5) for _ in range(2)])'
  const picks = [
    [3, 0, 4, 5, 2],
    [5, 0, 4, 1, 3],
  ];
  const filled = [
    'The cat chased the mouse because the cat was hungry.',
    'Ian gave his coat to Tom since Tom was cold.',
    'The glass broke on the stone floor because the glass was fragile.',
    // lm-eval strips the rest of the sentence: the trailing spaces go.
    'Anna taught Beth to swim, so Beth was grateful.',
    'The road was closed, so the bus took the bridge; the road was flooded.',
    'The tree fell on the car, and the car was crushed.',
  ];
  const examples = picks.map((p) => p.map((j) => `${filled[j]}\n\n`).join(''));
  expect(documents[0].requests.map((r) => r.context)).toEqual([`${examples[0]}The trophy doesn't fit into the brown suitcase because the trophy`, `${examples[0]}The trophy doesn't fit into the brown suitcase because the suitcase`]);
  expect(documents[1].requests.map((r) => r.context)).toEqual([`${examples[1]}Sarah was a much better surgeon than Maria so Sarah`, `${examples[1]}Sarah was a much better surgeon than Maria so Maria`]);
  expect(record).toMatchObject({ shots: 5, evaluationSplit: 'validation', fewshotSplit: 'train' });
});

test('partial scoring: the same continuation after each context, the likelier context is the answer', async () => {
  // Document 1 is right (the trophy context is likelier), document 2 wrong (Sarah's is, but the answer is Maria).
  const scorer = new StandInScorer((r) => (r.context.endsWith('trophy') || r.context.endsWith('so Sarah') ? -3 : -4));
  const result = await evaluateTask(winogrande(), scorer, { shots: 0, samples: true });
  expect(new Set(scorer.seen.slice(0, 2).map((r) => r.continuation)).size).toBe(1);
  expect(result.samples!.map((s) => [s.logLikelihoods, s.gold, s.metrics.acc])).toEqual([
    [[-3, -4], 0, 1],
    [[-3, -4], 1, 0],
  ]);
  // [1, 0]: mean 1/2, sample variance 1/2, stderr √(1/4) = 1/2.
  expect(result.metrics).toEqual({ acc: { value: 0.5, stderr: 0.5 } });
});

test('bad data: a sentence without a blank, an answer other than 1 or 2, an empty answer (the test split’s), a missing option', () => {
  const bad = (rows: unknown[]) => taskDataError(() => createTask<PartialScoringTask>('winogrande', { data: fixture.jsonl('bad/winogrande.jsonl', rows) }).load()).message;
  const file = fixture.jsonl('bad/winogrande.jsonl', []);
  expect(bad([VALIDATION[0], doc('No blank here.', 'a', 'b', '1')])).toBe(`task 'winogrande': ${file}:2: field 'sentence' has no blank ('_') for an option to fill: "No blank here."`);
  expect(bad([doc('A _ b.', 'a', 'b', '3')])).toBe(`task 'winogrande': ${file}:1: field 'answer' is 3, not 1 or 2 (option1 or option2)`);
  expect(bad([doc('A _ b.', 'a', 'b', '')])).toBe(`task 'winogrande': ${file}:1: field 'answer' must be an integer, got ""`);
  expect(bad([{ sentence: 'A _ b.', option1: 'a', answer: '1' }])).toBe(`task 'winogrande': ${file}:1: missing field 'option2' (a string)`);
});
