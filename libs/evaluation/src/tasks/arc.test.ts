import * as path from 'node:path';
import { runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { buildRequests, FewShotError } from '../prompts';
import { MultipleChoiceTask } from '../task';
import { byContinuation, createTask, Fixture, prompts, taskDataError } from '../testing';
import { ArcDocument, arcChallengeTask, arcEasyTask } from './arc';

const fixture = new Fixture();
afterAll(() => fixture.remove());

const arc = (question: string, text: string[], answerKey: string, label = ['A', 'B', 'C', 'D'].slice(0, text.length)) => ({ id: `Mercury_${question.length}`, question, choices: { text, label }, answerKey });
const TEST = [
  arc('Which gas do plants take in?', ['oxygen', 'carbon dioxide', 'nitrogen', 'helium'], 'B'),
  // Some ARC questions label their answers with digits.
  arc('How many legs has a spider?', ['six', 'eight', 'ten', 'four'], '2', ['1', '2', '3', '4']),
  arc('What melts ice fastest?', ['salt', 'sand', 'sawdust'], 'A'),
];
const TRAIN = [
  arc('What is the boiling point of water at sea level?', ['50 C', '100 C', '150 C', '200 C'], 'B'),
  arc('Which is a mammal?', ['shark', 'whale', 'trout', 'eel'], 'B'),
  arc('What does a thermometer measure?', ['mass', 'length', 'temperature', 'volume'], 'C'),
  arc('Which planet is closest to the Sun?', ['Mercury', 'Venus', 'Earth', 'Mars'], 'A'),
  arc('What do bees make?', ['silk', 'milk', 'wax', 'honey'], 'D'),
];
fixture.jsonl('arc_challenge/test.jsonl', TEST);
fixture.jsonl('arc_challenge/train.jsonl', TRAIN);
fixture.jsonl('arc_easy/test.jsonl', TEST);
const ctx = { dataDir: fixture.dir };
const challenge = () => createTask<MultipleChoiceTask<ArcDocument>>('arc-challenge', {}, ctx);

const prompt = (d: { question: string }) => `Question: ${d.question}\nAnswer:`;
const solved = (d: (typeof TRAIN)[number]) => `${prompt(d)} ${d.choices.text[d.choices.label.indexOf(d.answerKey)]}`;

test('both plugins meet the plugin contract and create lm-eval’s tasks', async () => {
  for (const plugin of [arcEasyTask, arcChallengeTask]) {
    const { instances } = await runPluginContract(plugin, { validOptions: [{}, { data: path.join(fixture.dir, 'arc_easy') }], invalidOptions: [{ options: { data: '' }, field: 'data' }], context: ctx });
    expect(instances[0]).toMatchObject({ version: '1.0.0', outputType: 'multiple_choice', metrics: ['acc', 'acc_norm'], primaryMetric: 'acc_norm', targetDelimiter: ' ', fewshotDelimiter: '\n\n', fewshotSampler: 'random' });
  }
  expect(createTask('arc-easy', {}, ctx)).toMatchObject({ name: 'arc_easy', defaultShots: 0 });
  expect(challenge()).toMatchObject({ name: 'arc_challenge', defaultShots: 25 });
});

test('zero-shot: "Question: …\\nAnswer:" and each answer text after a space; the answer key found among letter or digit labels', () => {
  const task = challenge();
  expect(prompts(task, { shots: 0 })).toEqual(TEST.map((d) => d.choices.text.map((c) => [prompt(d), ` ${c}`])));
  expect(task.load().evaluation.documents.map(task.gold)).toEqual([1, 1, 0]);
});

test('few-shot: examples drawn from train with random.Random(1234).sample, joined and followed by a blank line', () => {
  const { documents, record } = buildRequests(challenge(), { shots: 2 });
  // python3 -c 'import random; r = random.Random(1234); print([r.sample(range(5), 2) for _ in range(3)])'
  const picks = [
    [3, 0],
    [0, 4],
    [4, 0],
  ];
  documents.forEach((d, i) => {
    const context = picks[i].map((j) => `${solved(TRAIN[j])}\n\n`).join('') + prompt(TEST[i]);
    expect(d.requests).toEqual(TEST[i].choices.text.map((c) => ({ context, continuation: ` ${c}` })));
  });
  expect(record).toMatchObject({ shots: 2, seed: 1234, evaluationSplit: 'test', fewshotSplit: 'train', fewshotSampler: 'random' });
  expect(record.files).toEqual([path.join(fixture.dir, 'arc_challenge', 'test.jsonl'), path.join(fixture.dir, 'arc_challenge', 'train.jsonl')]);
  // The paper's 25 shots need 25 training questions: too little data is the user's error, naming the file.
  expect(() => buildRequests(challenge())).toThrow(/25 few-shot examples asked for, but its few-shot split has 5 documents/);
  const tooFew = taskDataError(() => buildRequests(challenge()));
  expect(tooFew).toBeInstanceOf(FewShotError);
  expect(tooFew.message).toContain(path.join(fixture.dir, 'arc_challenge', 'train.jsonl'));
});

test('acc takes the likeliest answer, acc_norm the likeliest per character; standard errors of the mean', async () => {
  // Question 1: "oxygen" is likeliest (-6) but "carbon dioxide" likeliest per character (-0.5):
  // acc 0, acc_norm 1. Question 2: "eight" both ways (1, 1). Question 3: "sand" both ways (0, 0).
  const scorer = byContinuation({ ' oxygen': -6, ' carbon dioxide': -7, ' nitrogen': -12, ' helium': -9, ' six': -5, ' eight': -4, ' ten': -6, ' four': -8, ' salt': -9, ' sand': -3, ' sawdust': -30 });
  const result = await evaluateTask(challenge(), scorer, { shots: 0, samples: true });
  expect(result.samples!.map((s) => s.metrics)).toEqual([
    { acc: 0, acc_norm: 1 },
    { acc: 1, acc_norm: 1 },
    { acc: 0, acc_norm: 0 },
  ]);
  // acc [0, 1, 0]: mean 1/3, sample variance 1/3, stderr √(1/3 / 3) = 1/3; acc_norm [1, 1, 0] likewise.
  expect(result.metrics.acc!.value).toBeCloseTo(1 / 3, 12);
  expect(result.metrics.acc!.stderr).toBeCloseTo(1 / 3, 12);
  expect(result.metrics.acc_norm!.value).toBeCloseTo(2 / 3, 12);
  expect(result.metrics.acc_norm!.stderr).toBeCloseTo(1 / 3, 12);
  expect(result).toMatchObject({ task: 'arc_challenge', documents: 3, primaryMetric: 'acc_norm' });
});

describe('bad data is reported by file and line, naming the field', () => {
  const load = (rows: unknown[] | string) => {
    const file = typeof rows === 'string' ? fixture.file('bad/arc.jsonl', rows) : fixture.jsonl('bad/arc.jsonl', rows);
    return { file, error: taskDataError(() => createTask<MultipleChoiceTask>('arc-easy', { data: file }).load()).message };
  };

  test('an answer key that is not among the labels', () => {
    const { file, error } = load([TEST[0], { ...TEST[1], answerKey: 'B' }]);
    expect(error).toBe(`task 'arc_easy': ${file}:2: field 'answerKey' is "B", not one of its labels (1, 2, 3, 4)`);
  });

  test('a misspelt field, a missing one, labels and texts of different lengths', () => {
    const { question, ...noQuestion } = TEST[0];
    expect(load([{ ...noQuestion, questoin: question }]).error).toMatch(/arc\.jsonl:1: missing field 'question' \(a string\)$/);
    expect(load([TEST[0], TEST[1], { ...TEST[2], choices: { text: ['a', 'b'] } }]).error).toMatch(/arc\.jsonl:3: missing field 'choices\.label'/);
    expect(load([{ ...TEST[0], choices: { text: ['a', 'b'], label: ['A', 'B', 'C'] } }]).error).toMatch(/arc\.jsonl:1: 3 labels in 'choices\.label' for 2 answers in 'choices\.text'$/);
  });

  test("a line that is not JSON and holds a carriage return: the parser's message quotes it, escaped (found by tools/fuzz)", () => {
    const { file, error } = load(`{"question": \r x}\n`);
    expect(error).toMatch(new RegExp(`^task 'arc_easy': ${file}:1: not valid JSON \\(.*\\\\r.*\\)$`));
    expect(error).not.toMatch(/[\r\n]/);
  });

  test('a line that is not JSON, and a missing file', () => {
    const { file, error } = load(`${JSON.stringify(TEST[0])}\n\n{"question": "Which\n`);
    expect(error).toContain(`task 'arc_easy': ${file}:3: not valid JSON`);
    const missing = path.join(fixture.dir, 'nowhere');
    expect(taskDataError(() => createTask<MultipleChoiceTask>('arc-easy', {}, { dataDir: missing }).load()).message).toBe(`task 'arc_easy': ${path.join(missing, 'arc_easy', 'test.jsonl')}: cannot read it (ENOENT)`);
  });
});
