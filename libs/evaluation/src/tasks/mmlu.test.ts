import * as path from 'node:path';
import { PluginError, runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { buildRequests } from '../prompts';
import { MultipleChoiceTask, TaskGroup } from '../task';
import { createTask, Fixture, StandInScorer, taskDataError } from '../testing';
import { MMLU_SUBJECTS, MmluDocument, mmluTask } from './mmlu';

const fixture = new Fixture();
afterAll(() => fixture.remove());

const q = (question: string, choices: string[], answer: number) => ({ question, subject: '', choices, answer });
const ALGEBRA_TEST = [
  // lm-eval strips the question ({{question.strip()}}), not the answers.
  q('  Find the order of the group Z_4.\n', ['1', '2', '4', '8'], 2),
  q('Is every cyclic group abelian?', ['Yes', 'No', 'Only if finite', 'Only if infinite'], 0),
  q('How many elements has Z_2 x Z_2?', ['2', '3', '4', ' 6'], 2),
];
const ALGEBRA_DEV = ['What is 1 + 1 in Z_2?', 'What is the identity of (Z, +)?', 'Is Z_3 a field?', 'How many units has Z_5?', 'Is S_3 abelian?', 'What is the order of S_3?'].map((question, i) => q(question, ['0', '1', '4', '6'], i % 4));
const HISTORY_TEST = [q('Who wrote the Declaration of Independence?', ['Adams', 'Jefferson', 'Franklin', 'Madison'], 1), q('In which year did the Civil War end?', ['1861', '1863', '1865', '1870'], 2)];
const HISTORY_DEV = [q('Who was the first president?', ['Washington', 'Lincoln', 'Adams', 'Grant'], 0)];
for (const [subject, test, dev] of [
  ['abstract_algebra', ALGEBRA_TEST, ALGEBRA_DEV],
  ['high_school_us_history', HISTORY_TEST, HISTORY_DEV],
] as const) {
  fixture.jsonl(`mmlu/${subject}/test.jsonl`, test.map((d) => ({ ...d, subject })));
  fixture.jsonl(`mmlu/${subject}/dev.jsonl`, dev.map((d) => ({ ...d, subject })));
}
const ctx = { dataDir: fixture.dir };
const mmlu = (options = {}) => createTask<TaskGroup>('mmlu', options, ctx);
const subject = (name: string) => mmlu({ subjects: [name] }).tasks[0] as MultipleChoiceTask<MmluDocument>;

const prompt = (d: { question: string; choices: readonly string[] }) => `${d.question.trim()}\nA. ${d.choices[0]}\nB. ${d.choices[1]}\nC. ${d.choices[2]}\nD. ${d.choices[3]}\nAnswer:`;
const solved = (d: { question: string; choices: readonly string[]; answer: number }) => `${prompt(d)} ${'ABCD'[d.answer]}\n\n`;
const ALGEBRA = 'The following are multiple choice questions (with answers) about abstract algebra.\n\n';
const HISTORY = 'The following are multiple choice questions (with answers) about high school us history.\n\n';

test("lm-eval's 57 subjects, sorted", () => {
  expect(MMLU_SUBJECTS).toHaveLength(57);
  expect([...MMLU_SUBJECTS].sort()).toEqual([...MMLU_SUBJECTS]);
  expect(new Set(MMLU_SUBJECTS).size).toBe(57);
});

test('meets the plugin contract; a group of one task per subject folder there is, sorted, under lm-eval’s names', async () => {
  const { instances } = await runPluginContract(mmluTask, {
    validOptions: [{}, { subjects: ['high_school_us_history'] }, { data: path.join(fixture.dir, 'mmlu') }],
    invalidOptions: [
      { options: { subjects: ['astronomi'] }, field: 'subjects' },
      { options: { subjects: [] }, field: 'subjects' },
      { options: { subjects: ['anatomy', 'anatomy'] }, field: 'subjects' },
    ],
    context: ctx,
  });
  const group = instances[0] as TaskGroup;
  expect(group).toMatchObject({ name: 'mmlu', version: '1.0.0' });
  expect(group.tasks.map((t) => t.name)).toEqual(['mmlu_abstract_algebra', 'mmlu_high_school_us_history']);
  expect(group.tasks[0]).toMatchObject({ version: '1.0.0', outputType: 'multiple_choice', metrics: ['acc'], primaryMetric: 'acc', defaultShots: 5, fewshotSampler: 'first_n', targetDelimiter: ' ', fewshotDelimiter: '\n\n' });
  expect((instances[2] as TaskGroup).tasks.map((t) => t.name)).toEqual(group.tasks.map((t) => t.name));
});

test('zero-shot: the preamble naming the subject, the stripped question, the lettered answers; the letters are the choices', () => {
  const { documents } = buildRequests(subject('abstract_algebra'), { shots: 0 });
  expect(documents[0].requests).toEqual(['A', 'B', 'C', 'D'].map((letter) => ({ context: `${ALGEBRA}Find the order of the group Z_4.\nA. 1\nB. 2\nC. 4\nD. 8\nAnswer:`, continuation: ` ${letter}` })));
  expect(documents.map((d) => d.requests[0].context)).toEqual(ALGEBRA_TEST.map((d) => ALGEBRA + prompt(d)));
  const history = buildRequests(subject('high_school_us_history'), { shots: 0 }).documents;
  expect(history[1].requests[0].context).toBe(`${HISTORY}In which year did the Civil War end?\nA. 1861\nB. 1863\nC. 1865\nD. 1870\nAnswer:`);
});

test('few-shot: the first dev questions in order (first_n), the same for every document, after the preamble', () => {
  const { documents, record } = buildRequests(subject('abstract_algebra'));
  const examples = ALGEBRA_DEV.slice(0, 5).map(solved).join('');
  expect(examples.startsWith('What is 1 + 1 in Z_2?\nA. 0\nB. 1\nC. 4\nD. 6\nAnswer: A\n\nWhat is the identity of (Z, +)?')).toBe(true);
  expect(documents.map((d) => d.requests[0].context)).toEqual(ALGEBRA_TEST.map((d) => ALGEBRA + examples + prompt(d)));
  expect(record).toMatchObject({ shots: 5, evaluationSplit: 'test', fewshotSplit: 'dev', fewshotSampler: 'first_n' });
  expect(buildRequests(subject('abstract_algebra'), { shots: 2 }).documents[2].requests[0].context).toBe(ALGEBRA + ALGEBRA_DEV.slice(0, 2).map(solved).join('') + prompt(ALGEBRA_TEST[2]));
  // One dev question cannot give five examples.
  expect(() => buildRequests(subject('high_school_us_history'))).toThrow(/5 few-shot examples asked for, but its few-shot split has 1 documents/);
});

test('acc per subject, and over the group the size-weighted mean with the pooled standard error', async () => {
  // Right: algebra's first two questions (C, A); wrong: its third and both history questions.
  const likeliest: Record<string, string> = { 'Z_4.': ' C', 'abelian?': ' A', 'Z_2 x Z_2?': ' B', 'Independence?': ' D', 'end?': ' A' };
  const scorer = new StandInScorer((r) => {
    const question = Object.keys(likeliest).find((k) => r.context.includes(k))!;
    return r.continuation === likeliest[question] ? -1 : -2;
  });
  const result = await evaluateTask(mmlu(), scorer, { shots: 0 });
  expect(result).toMatchObject({ task: 'mmlu', outputType: 'group', documents: 5, primaryMetric: 'acc' });
  const [algebra, history] = result.subtasks!;
  expect(algebra).toMatchObject({ task: 'mmlu_abstract_algebra', documents: 3 });
  expect(history).toMatchObject({ task: 'mmlu_high_school_us_history', documents: 2, metrics: { acc: { value: 0, stderr: 0 } } });
  // Algebra [1, 1, 0]: mean 2/3, sample variance 1/3, stderr² 1/9.
  expect(algebra.metrics.acc!.value).toBeCloseTo(2 / 3, 12);
  expect(algebra.metrics.acc!.stderr).toBeCloseTo(1 / 3, 12);
  // (3 × 2/3 + 2 × 0) / 5 = 2/5, not the mean of the subjects' means (1/3).
  expect(result.metrics.acc!.value).toBeCloseTo(2 / 5, 12);
  // Pooled variance ((3 − 1) × 1/9 × 3 + (2 − 1) × 0 × 2) / (5 − 2) = 2/9; stderr √(2/9 / 5).
  expect(result.metrics.acc!.stderr).toBeCloseTo(Math.sqrt(2 / 45), 12);
});

describe('bad subjects and data', () => {
  test('an unknown subject is refused by the options, naming the closest subjects', () => {
    let error: unknown;
    try {
      mmlu({ subjects: ['astronomi', 'physics'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PluginError);
    const { code, issues } = error as PluginError;
    expect(code).toBe('invalid_plugin_options');
    expect(issues).toEqual([
      `subjects[0]: not one of lm-eval's 57 MMLU subjects (closest: astronomy, anatomy, virology) (got "astronomi")`,
      // Subjects containing the name come first.
      `subjects[1]: not one of lm-eval's 57 MMLU subjects (closest: college_physics, conceptual_physics, high_school_physics) (got "physics")`,
    ]);
  });

  test('a folder that is not a subject, a missing mmlu folder, no data at all', () => {
    const other = new Fixture();
    try {
      other.jsonl('mmlu/anatomy/test.jsonl', [ALGEBRA_TEST[0]]);
      other.jsonl('mmlu/astronmy/test.jsonl', [ALGEBRA_TEST[0]]);
      expect(() => createTask('mmlu', {}, { dataDir: other.dir })).toThrow(`task 'mmlu': ${path.join(other.dir, 'mmlu', 'astronmy')}: the folder 'astronmy' is not one of lm-eval's 57 MMLU subjects (closest: astronomy`);
      // Named subjects need no listing of the folder.
      expect(createTask<TaskGroup>('mmlu', { subjects: ['anatomy'] }, { dataDir: other.dir }).tasks.map((t) => t.name)).toEqual(['mmlu_anatomy']);
    } finally {
      other.remove();
    }
    const create = (context: object) => {
      try {
        createTask('mmlu', {}, context);
      } catch (e) {
        return (e as PluginError).cause as Error;
      }
    };
    expect(create({ dataDir: path.join(fixture.dir, 'nowhere') })?.message).toBe(`task 'mmlu': ${path.join(fixture.dir, 'nowhere', 'mmlu')}: cannot read the folder of subjects (ENOENT)`);
    expect(create({})?.message).toMatch(/^task 'mmlu': no data/);
  });

  test("a subject's missing file, wrong number of answers, an answer out of range", () => {
    const anatomy = mmlu({ subjects: ['anatomy'] }).tasks[0];
    expect(taskDataError(() => anatomy.load()).message).toBe(`task 'mmlu_anatomy': ${path.join(fixture.dir, 'mmlu', 'anatomy', 'test.jsonl')}: cannot read it (ENOENT)`);
    const bad = (rows: unknown[]) => {
      const file = fixture.jsonl('bad/mmlu/virology/test.jsonl', rows);
      return { file, error: taskDataError(() => createTask<TaskGroup>('mmlu', { data: path.join(fixture.dir, 'bad', 'mmlu'), subjects: ['virology'] }).tasks[0].load()).message };
    };
    const three = bad([HISTORY_TEST[0], q('Which?', ['a', 'b', 'c'], 0)]);
    expect(three.error).toBe(`task 'mmlu_virology': ${three.file}:2: field 'choices' has 3 answers, not 4`);
    const four = bad([q('Which?', ['a', 'b', 'c', 'd'], 4)]);
    expect(four.error).toBe(`task 'mmlu_virology': ${four.file}:1: field 'answer' is 4, not the index of one of its 4 choices (0 to 3)`);
  });
});
