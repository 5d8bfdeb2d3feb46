import * as path from 'node:path';
import { runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { buildRequests } from '../prompts';
import { MultipleChoiceTask } from '../task';
import { byContinuation, createTask, Fixture, prompts, taskDataError } from '../testing';
import { HELLASWAG_TEXT_FILE, HellaswagDocument, hellaswagTask } from './hellaswag';

const fixture = new Fixture();
afterAll(() => fixture.remove());

const VALIDATION = [
  {
    ind: 24,
    activity_label: 'Home and Garden',
    ctx_a: '[header] How to clean a grill. [title] Heat the grill for ten minutes.',
    ctx_b: 'SCRUB the grates WITH a brush',
    endings: ['[step] until they shine.', ' and then [substeps] rinse them. ', 'while singing loudly.', 'because the grill is cold [title] Stop.'],
    source_id: 'wikihow~1',
    split: 'val',
    split_type: 'indomain',
    label: '0',
  },
  {
    ind: 4,
    activity_label: 'Roof shingle removal',
    ctx_a: 'A man is sitting on a roof.',
    ctx_b: 'he',
    endings: ['is using wrap to wrap a pair of skis.', 'is ripping level tiles off.', "is holding a rubik's cube.", 'starts pulling up roofing on a roof.'],
    source_id: 'activitynet~v_-JhWjGDPHMY',
    split: 'val',
    split_type: 'indomain',
    label: '3',
  },
];
// Printed by lm-eval's hellaswag preprocessing (utils.process_docs) of the two items above.
const QUERIES = ['Home and Garden: How to clean a grill.. Heat the grill for ten minutes. Scrub the grates with a brush', 'Roof shingle removal: A man is sitting on a roof. He'];
const ENDINGS = [
  [' until they shine.', 'and then rinse them.', 'while singing loudly.', 'because the grill is cold. Stop.'],
  ['is using wrap to wrap a pair of skis.', 'is ripping level tiles off.', "is holding a rubik's cube.", 'starts pulling up roofing on a roof.'],
];
const train = (activity_label: string, ctx_a: string, ctx_b: string, ending: string) => ({ activity_label, ctx_a, ctx_b, endings: [ending, 'x.', 'y.', 'z.'], label: 0 });
const TRAIN = [train('Cooking', 'She cracks an egg.', 'she', 'whisks it.'), train('Running', 'A man jogs.', 'he', 'stops to drink.'), train('Dancing', 'Two people dance.', 'they', 'bow.')];
const SOLVED = ['Cooking: She cracks an egg. She whisks it.', 'Running: A man jogs. He stops to drink.', 'Dancing: Two people dance. They bow.'];

fixture.jsonl('jsonl/hellaswag/validation.jsonl', VALIDATION);
fixture.jsonl('jsonl/hellaswag/train.jsonl', TRAIN);
const jsonl = () => createTask<MultipleChoiceTask<HellaswagDocument>>('hellaswag', {}, { dataDir: path.join(fixture.dir, 'jsonl') });

// The shared assets' layout: the context line, the right ending's index, four endings.
const ITEMS = [
  ['Baking: A woman mixes flour and water. She', '1', 'paints the wall.', 'kneads the dough.', 'drives away.', 'sings.'],
  ['Fishing: A man casts a line. He', '0', 'waits for a bite.', 'eats the rod.', 'flies.', 'reads a book loudly to the fish.'],
  ['Skating: A girl laces her skates. She', '2', 'swims.', 'cooks.', 'glides onto the ice.', 'sleeps.'],
  ['Painting: An artist picks a brush. He', '3', 'runs.', 'jumps.', 'falls.', 'dips it in paint.'],
];
const textFile = fixture.file(`text/${HELLASWAG_TEXT_FILE}`, ITEMS.map((i) => i.join('\n')).join('\n') + '\n');
const text = () => createTask<MultipleChoiceTask<HellaswagDocument>>('hellaswag', {}, { dataDir: path.join(fixture.dir, 'text') });

test('meets the plugin contract: acc and acc_norm, 10 shots', async () => {
  const { instances } = await runPluginContract(hellaswagTask, { validOptions: [{}, { data: textFile }], invalidOptions: [{ options: { data: '' }, field: 'data' }], context: { dataDir: path.join(fixture.dir, 'jsonl') } });
  expect(instances[0]).toMatchObject({ name: 'hellaswag', version: '1.0.0', metrics: ['acc', 'acc_norm'], primaryMetric: 'acc_norm', defaultShots: 10 });
});

describe("the Hugging Face layout, preprocessed as lm-eval's process_docs", () => {
  test('the prompt: "[title]" a sentence break, other bracketed tags gone, ctx_b capitalized; the endings cleaned the same way', () => {
    expect(prompts(jsonl(), { shots: 0 })).toEqual(QUERIES.map((query, i) => ENDINGS[i].map((e) => [query, ` ${e}`])));
    expect(jsonl().load().evaluation.documents.map((d) => d.label)).toEqual([0, 3]);
  });

  test('few-shot examples from train, drawn with random.Random(1234)', () => {
    // python3 -c 'import random; r = random.Random(1234); print([r.sample(range(3), 1) for _ in range(2)])'
    const picks = [1, 0];
    const { documents, record } = buildRequests(jsonl(), { shots: 1 });
    expect(documents.map((d) => d.requests[0].context)).toEqual(QUERIES.map((query, i) => `${SOLVED[picks[i]]}\n\n${query}`));
    expect(record).toMatchObject({ evaluationSplit: 'validation', fewshotSplit: 'train' });
  });

  test('bad data: a label out of range, missing endings, a line that is not JSON', () => {
    const bad = (content: string) => taskDataError(() => createTask<MultipleChoiceTask>('hellaswag', { data: fixture.file('bad/hellaswag.jsonl', content) }).load()).message;
    const file = path.join(fixture.dir, 'bad', 'hellaswag.jsonl');
    expect(bad(`${JSON.stringify(VALIDATION[0])}\n${JSON.stringify({ ...VALIDATION[1], label: '4' })}\n`)).toBe(`task 'hellaswag': ${file}:2: label 4 is not the index of one of its 4 endings`);
    const { endings: _endings, ...noEndings } = VALIDATION[0];
    expect(bad(JSON.stringify(noEndings))).toBe(`task 'hellaswag': ${file}:1: missing field 'endings' (a non-empty list of strings)`);
    expect(bad(`${JSON.stringify(VALIDATION[0])}\n{"ind": 4,`)).toContain(`task 'hellaswag': ${file}:2: not valid JSON`);
  });
});

describe('the 6-line text layout of the shared assets', () => {
  test('found in the data folder, or named by the data option; read as it is', () => {
    const expected = ITEMS.map(([query, , ...endings]) => endings.map((e) => [query, ` ${e}`]));
    expect(prompts(text(), { shots: 0 })).toEqual(expected);
    expect(prompts(createTask('hellaswag', { data: textFile }), { shots: 0 })).toEqual(expected);
    expect(text().load().evaluation).toMatchObject({ split: 'validation', file: textFile });
    expect(text().load().evaluation.documents.map((d) => [d.where, d.label])).toEqual([
      [`${textFile}:1`, 1],
      [`${textFile}:7`, 0],
      [`${textFile}:13`, 2],
      [`${textFile}:19`, 3],
    ]);
  });

  test('few-shot examples drawn from the validation items themselves, never the item scored', () => {
    // python3 -c 'import random; r = random.Random(1234); print([[i for i in r.sample(range(4), 3) if i != d][:2] for d in range(4)])'
    const picks = [
      [3, 2],
      [0, 2],
      [0, 3],
      [1, 0],
    ];
    const solved = (i: number) => `${ITEMS[i][0]} ${ITEMS[i][2 + Number(ITEMS[i][1])]}\n\n`;
    const { documents, record } = buildRequests(text(), { shots: 2 });
    expect(documents.map((d) => d.requests[0].context)).toEqual(picks.map((p, i) => p.map(solved).join('') + ITEMS[i][0]));
    expect(record).toMatchObject({ evaluationSplit: 'validation', fewshotSplit: 'validation' });
  });

  test('acc and acc_norm differ where the endings differ in length', async () => {
    // Item 2 (answer "waits for a bite.", 17 chars): "flies." (6) is likeliest, the answer likeliest per character.
    const table = Object.fromEntries(ITEMS.flatMap(([, , ...endings]) => endings.map((e) => [` ${e}`, -10])));
    Object.assign(table, { ' kneads the dough.': -1, ' waits for a bite.': -8.5, ' flies.': -6, ' reads a book loudly to the fish.': -20, ' dips it in paint.': -1, ' sleeps.': -2 });
    const result = await evaluateTask(text(), byContinuation(table), { shots: 0, samples: true });
    expect(result.samples!.map((s) => [s.metrics.acc, s.metrics.acc_norm])).toEqual([
      [1, 1],
      [0, 1],
      [0, 0],
      [1, 1],
    ]);
    // acc [1, 0, 0, 1]: mean 1/2, sample variance 1/3, stderr √(1/12); acc_norm [1, 1, 0, 1]: 3/4, stderr 1/4.
    expect(result.metrics.acc!.value).toBe(0.5);
    expect(result.metrics.acc!.stderr).toBeCloseTo(Math.sqrt(1 / 12), 12);
    expect(result.metrics.acc_norm!.value).toBe(0.75);
    expect(result.metrics.acc_norm!.stderr).toBeCloseTo(0.25, 12);
  });

  test('bad data: a label line that is not 0-3, a count of lines not a multiple of 6, a missing file', () => {
    const bad = (items: string[][], extra = '') => taskDataError(() => createTask<MultipleChoiceTask>('hellaswag', { data: fixture.file('bad/hellaswag.txt', items.map((i) => i.join('\n')).join('\n') + '\n' + extra) }).load()).message;
    const file = path.join(fixture.dir, 'bad', 'hellaswag.txt');
    expect(bad([ITEMS[0], [ITEMS[1][0], '4', ...ITEMS[1].slice(2)]])).toBe(`task 'hellaswag': ${file}:8: the label must be 0, 1, 2 or 3, got "4"`);
    expect(bad([ITEMS[0]], 'one more line\n')).toBe(`task 'hellaswag': ${file}:7: 7 lines, not a whole number of 6-line items (context, label, four endings)`);
    const missing = path.join(fixture.dir, 'missing.txt');
    expect(taskDataError(() => createTask<MultipleChoiceTask>('hellaswag', { data: missing }).load()).message).toBe(`task 'hellaswag': ${missing}: cannot read it (ENOENT)`);
  });
});
