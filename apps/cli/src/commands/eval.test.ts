import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Runtime } from '@carve/engine';
import { evaluateTask, ModelScorer, TaskOrGroup, TaskResult } from '@carve/evaluation';
import { LanguageModel, loadCheckpoint, loadTokenizer } from '@carve/model';
import { EMBEDDED_MODEL } from '@carve/pipeline';
import { ASSETS, describeWithAssets, STORIES260K, TINYSTORIES_VALID, TOK512 } from '@carve/test-assets';
import { carve } from '../testing/run-cli';
import { createRegistry } from '../plugins';
import { EvalRecord, resultsTable } from './eval';

const REPO = path.resolve(__dirname, '../../../..');
const registry = createRegistry([], REPO);
const TASKS = registry.list('task');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-eval-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** HellaSwag documents in the Hugging Face layout (Rowan/hellaswag), labels as strings as there. */
const hellaswag = (n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => ({
    ind: offset + i,
    activity_label: ['Government', 'Economy', 'War'][i % 3],
    ctx_a: `The nation faces challenge number ${offset + i}.`,
    ctx_b: 'the congress',
    endings: ['must act now to protect the people.', 'eats a sandwich on the moon.', 'will consider the budget next year.', 'is painting the [title] fence blue.'],
    source_id: 'x',
    split: 'val',
    split_type: 'indomain',
    label: String((offset + i) % 4),
  }));
const writeJsonl = (file: string, records: object[]) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
};

const DATA = path.join(tmp, 'data');
const VALIDATION = path.join(DATA, 'hellaswag', 'validation.jsonl');
writeJsonl(VALIDATION, hellaswag(6));
writeJsonl(path.join(DATA, 'hellaswag', 'train.jsonl'), hellaswag(4, 100));

/** Paragraphs of three sentences or more, each ending in a word: text for text-cloze and text-ending. */
const TEXT = path.join(tmp, 'speech.txt');
fs.writeFileSync(
  TEXT,
  [
    'The state of the union is strong. Our economy has grown in every region of the country. We will keep working for the families who built it.',
    'Congress passed a budget this year. It funds our schools and our roads.\nIt also keeps our promise to those who served in the war.',
    'We must secure our borders and our ports. We must also welcome those who come to work. That is the history of this great nation.',
    'Taxes are lower for working families. Small businesses have hired more people than ever before. The deficit is smaller than it was a decade ago.',
    'Our soldiers stand guard around the world. They deserve our thanks and our support. We will bring them home when the job is done.',
    'Health care costs too much for too many people. We can lower those costs together. Let us find common ground on this question.',
    'Energy from our own land makes us stronger. New jobs come from wind and sun and gas. The future belongs to those who build it.',
    'Education opens the door to opportunity. Every child deserves a good teacher and a safe school. We will invest in their future today.',
  ].join('\n\n') + '\n',
);

const TOKENIZER = path.join(EMBEDDED_MODEL, 'tokenizer.json');

/** A successful `carve eval …`: its table and, with --output, its record. */
async function evaluate(...argv: string[]): Promise<{ table: string; record?: EvalRecord }> {
  const out = argv.includes('--output') ? argv[argv.indexOf('--output') + 1] : undefined;
  const { code, stdout, stderr } = await carve(['eval', ...argv]);
  expect([code, stderr]).toEqual([0, '']);
  return { table: stdout, record: out === undefined ? undefined : (JSON.parse(fs.readFileSync(out, 'utf8')) as EvalRecord) };
}

/** What evaluateTask gives with a ModelScorer on the embedded model, for the same tasks and settings. */
async function direct(tasks: { name: string; options?: object }[], settings: { shots?: number; seed?: number; limit?: number; bos?: boolean; batchSize?: number }): Promise<TaskResult[]> {
  const runtime = new Runtime();
  const lm = await LanguageModel.create(loadCheckpoint(EMBEDDED_MODEL), { runtime });
  try {
    const scorer = new ModelScorer(lm, loadTokenizer(TOKENIZER), { bos: settings.bos, batchSize: settings.batchSize });
    const results: TaskResult[] = [];
    for (const { name, options } of tasks) {
      const task = await registry.create<TaskOrGroup | Promise<TaskOrGroup>>('task', name, options ?? {}, { dataDir: DATA, text: TEXT });
      results.push(await evaluateTask(task, scorer, { shots: settings.shots, seed: settings.seed, limit: settings.limit, samples: true }));
    }
    return results;
  } finally {
    await lm.dispose();
    await runtime.dispose();
  }
}

const expectFinite = (r: TaskResult) => {
  for (const { value, stderr } of Object.values(r.metrics)) {
    expect(Number.isFinite(value)).toBe(true);
    expect(Number.isFinite(stderr)).toBe(true);
  }
};

describe('carve eval on the embedded model', () => {
  test('prints the table and writes every setting, with the numbers of a direct evaluateTask', async () => {
    const output = path.join(tmp, 'results', 'eval.json');
    const { table, record } = await evaluate('--model', EMBEDDED_MODEL, '--tasks', 'hellaswag,text-cloze,text-ending', '--data-dir', DATA, '--text', TEXT, '--shots', '2', '--limit', '5', '--output', output, '--samples');
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\| Task +\| Version \| Shots \| Docs \| Metric +\| +Value \| ± Stderr \|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+:\|-+:\|-+:\|-+\|-+:\|-+:\|$/);
    expect(lines.slice(2).map((l) => l.split('|').slice(1, 6).map((c) => c.trim()))).toEqual([
      ['hellaswag', '1.0.0', '2', '5', 'acc'],
      ['', '', '', '', 'acc_norm'],
      ['text-cloze', '1.0.0', '2', '5', 'acc'],
      ['', '', '', '', 'perplexity'],
      ['text-ending', '1.0.0', '2', '5', 'acc'],
      ['', '', '', '', 'acc_norm'],
    ]);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1); // aligned

    const r = record!;
    expect(r.carve['@carve/cli']).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.carve['@carve/evaluation']).toMatch(/^\d+\.\d+\.\d+/);
    expect(Number.isNaN(Date.parse(r.timestamp))).toBe(false);
    expect(r.model).toMatchObject({ path: EMBEDDED_MODEL, name: 'carve-sotu-1m', blockSize: 256, vocabSize: 512 });
    expect(r.tokenizer).toBe(TOKENIZER);
    expect(r.scorer).toEqual({ tokenizer: TOKENIZER, bos: true, maxLength: 256, batchSize: 16 });
    expect(r.device).toMatchObject({ requested: 'cpu', provider: 'cpu' });
    expect(r.settings).toEqual({ tasks: ['hellaswag', 'text-cloze', 'text-ending'], shots: 2, seed: 1234, limit: 5, dataDir: DATA, text: TEXT, taskData: {}, taskOptions: {}, samples: true });
    expect(r.results.map((t) => [t.task, t.plugin.name, t.plugin.options])).toEqual([
      ['hellaswag', 'hellaswag', {}],
      ['text-cloze', 'text-cloze', {}],
      ['text-ending', 'text-ending', {}],
    ]);
    expect(r.results[0].prompts).toEqual({ shots: 2, seed: 1234, limit: 5, evaluationSplit: 'validation', fewshotSplit: 'train', fewshotSampler: 'random', files: [VALIDATION, path.join(DATA, 'hellaswag', 'train.jsonl')] });
    expect(r.results[1].prompts).toMatchObject({ shots: 2, seed: 1234, limit: 5, evaluationSplit: 'passages', files: [TEXT] });
    r.results.forEach(expectFinite);
    expect(r.results[0].samples).toHaveLength(5);
    expect(r.results[0].samples![0]).toMatchObject({ where: `${VALIDATION}:1`, gold: 0 });
    expect(r.results[0].samples![0].logLikelihoods).toHaveLength(4);

    const expected = await direct([{ name: 'hellaswag' }, { name: 'text-cloze' }, { name: 'text-ending' }], { shots: 2, limit: 5 });
    expect(r.results.map(({ plugin: _, ...result }) => result)).toEqual(expected);
    // The table shows the same numbers, to 4 decimals.
    const { value, stderr } = expected[0].metrics.acc!;
    expect(lines[2]).toMatch(new RegExp(`\\| +${value.toFixed(4)} \\| +${stderr.toFixed(4)} \\|$`));
  });

  test("--checkpoint, --tokenizer, --task-data, --no-bos, --batch-size, --seed; each task's default shots", async () => {
    const output = path.join(tmp, 'no-bos.json');
    const file = path.join(tmp, 'hellaswag-12.jsonl');
    writeJsonl(file, hellaswag(12));
    const { table, record } = await evaluate('--checkpoint', EMBEDDED_MODEL, '--tokenizer', TOKENIZER, '--tasks', 'hellaswag', '--task-data', `hellaswag=${file}`, '--no-bos', '--batch-size', '3', '--seed', '7', '--output', output);
    expect(table.split('\n')[2]).toMatch(/^\| hellaswag \| +1\.0\.0 \| +10 \| +12 \| acc /); // a file alone: examples come from the evaluation split
    expect(record!.scorer).toEqual({ tokenizer: TOKENIZER, bos: false, maxLength: 256, batchSize: 3 });
    expect(record!.settings).toMatchObject({ shots: null, seed: 7, limit: null, dataDir: null, taskData: { hellaswag: file }, samples: false });
    const [result] = record!.results;
    expect(result.plugin.options).toEqual({ data: file });
    expect(result.prompts).toMatchObject({ shots: 10, seed: 7, limit: null, evaluationSplit: 'validation', fewshotSplit: 'validation', files: [file] });
    expect(result.samples).toBeUndefined();
    const [expected] = await direct([{ name: 'hellaswag', options: { data: file } }], { seed: 7, bos: false, batchSize: 3 });
    expect(result.metrics).toEqual(expected.metrics);
    expect(result.documents).toBe(12);
  });

  test('the HellaSwag text layout; progress is drawn on a terminal', async () => {
    const file = path.join(tmp, 'hellaswag.txt');
    fs.writeFileSync(file, hellaswag(3).map((d) => [`${d.activity_label}: ${d.ctx_a}`, d.label, ...d.endings].join('\n')).join('\n') + '\n');
    const { code, stdout, stderr } = await carve(['eval', '--model', EMBEDDED_MODEL, '--tasks', 'hellaswag', '--task-data', `hellaswag=${file}`, '--shots', '0'], true);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\| hellaswag \| +1\.0\.0 \| +0 \| +3 \| acc /);
    expect(stderr).toContain('eval hellaswag ');
    expect(stderr).toContain('12/12'); // 3 documents of 4 endings
    expect(stderr.endsWith('\n')).toBe(true);
  });

  test('a group (mmlu): the group row, then each subject indented, pooled as evaluateTask pools them', async () => {
    const mmlu = (subject: string, n: number) => Array.from({ length: n }, (_, i) => ({ question: `Question ${i} about ${subject}?`, subject, choices: ['one', 'two', 'three', 'four'], answer: i % 4 }));
    const folder = path.join(tmp, 'mmlu-data');
    for (const subject of ['anatomy', 'astronomy']) {
      writeJsonl(path.join(folder, 'mmlu', subject, 'test.jsonl'), mmlu(subject, 4));
      writeJsonl(path.join(folder, 'mmlu', subject, 'dev.jsonl'), mmlu(subject, 5));
    }
    const output = path.join(tmp, 'mmlu.json');
    const { table, record } = await evaluate('--model', EMBEDDED_MODEL, '--tasks', 'mmlu', '--data-dir', folder, '--limit', '3', '--output', output);
    expect(table.trimEnd().split('\n').slice(2).map((l) => l.split('|').slice(1, 6).map((c) => c.trim()))).toEqual([
      ['mmlu', '1.0.0', '5', '6', 'acc'],
      ['- mmlu_anatomy', '1.0.0', '5', '3', 'acc'],
      ['- mmlu_astronomy', '1.0.0', '5', '3', 'acc'],
    ]);
    const [group] = record!.results;
    expect(group).toMatchObject({ task: 'mmlu', outputType: 'group', documents: 6, plugin: { name: 'mmlu', options: {} } });
    expect(group.subtasks!.map((s) => s.prompts)).toEqual(
      ['anatomy', 'astronomy'].map((subject) => ({ shots: 5, seed: 1234, limit: 3, evaluationSplit: 'test', fewshotSplit: 'dev', fewshotSampler: 'first_n', files: ['test', 'dev'].map((split) => path.join(folder, 'mmlu', subject, `${split}.jsonl`)) })),
    );
    const runtime = new Runtime();
    const lm = await LanguageModel.create(loadCheckpoint(EMBEDDED_MODEL), { runtime });
    const task = await registry.create<TaskOrGroup | Promise<TaskOrGroup>>('task', 'mmlu', {}, { dataDir: folder });
    const expected = await evaluateTask(task, new ModelScorer(lm, loadTokenizer(TOKENIZER)), { limit: 3 });
    await lm.dispose();
    await runtime.dispose();
    const { plugin: _, ...result } = group;
    expect(result).toEqual(expected);
  });

  test("lm-eval's snake_case names mean the kebab-case plugins, in --tasks and --task-data", async () => {
    const output = path.join(tmp, 'snake.json');
    const { table, record } = await evaluate('--model', EMBEDDED_MODEL, '--tasks', 'text_ending', '--task-data', `text_ending=${TEXT}`, '--limit', '3', '--output', output);
    expect(table).toMatch(/\| text-ending \| +1\.0\.0 \| +0 \| +3 \| acc /);
    expect(record!.settings).toMatchObject({ tasks: ['text-ending'], taskData: { 'text-ending': TEXT } });
    expect(record!.results[0].plugin).toEqual({ name: 'text-ending', version: '1.0.0', options: { data: TEXT } });
  });

  test("--task-options reach the task plugin and are recorded; the task's own options decide its documents", async () => {
    const output = path.join(tmp, 'options.json');
    const options = { documents: 4, seed: 3 };
    const { table, record } = await evaluate('--model', EMBEDDED_MODEL, '--tasks', 'text-cloze', '--text', TEXT, '--task-options', `text-cloze=${JSON.stringify(options)}`, '--output', output);
    expect(table).toMatch(/\| text-cloze \| +1\.0\.0 \| +0 \| +4 \| acc /);
    expect(record!.settings.taskOptions).toEqual({ 'text-cloze': options });
    expect(record!.results[0].plugin.options).toEqual(options);
    const [expected] = await direct([{ name: 'text-cloze', options }], {});
    expect(record!.results[0].metrics).toEqual(expected.metrics);
    expect(record!.results[0].prompts!.files).toEqual([TEXT]);
  });

  test('--tasks list prints every task plugin with its description', async () => {
    const { code, stdout, stderr } = await carve(['eval', '--tasks', 'list']);
    expect([code, stderr]).toEqual([0, '']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(TASKS.length);
    TASKS.forEach((t, i) => {
      expect(lines[i].startsWith(`${t.name} `)).toBe(true);
      expect(lines[i]).toContain(` ${t.version} `);
      expect(lines[i].endsWith(t.description)).toBe(true);
    });
    expect(TASKS.map((t) => t.name)).toEqual(expect.arrayContaining(['hellaswag', 'text-cloze', 'text-ending']));
  });

  const bad = path.join(tmp, 'bad');
  const notJson = path.join(bad, 'not-json.jsonl');
  const noEndings = path.join(bad, 'no-endings.jsonl');
  const badLabel = path.join(bad, 'label.jsonl');
  const badText = path.join(bad, 'hellaswag.txt');
  const empty = path.join(bad, 'empty-dir');
  beforeAll(() => {
    fs.mkdirSync(empty, { recursive: true });
    const docs = hellaswag(3);
    fs.writeFileSync(notJson, `${JSON.stringify(docs[0])}\n{"activity_label": "x",\n`);
    const { endings: _, ...withoutEndings } = docs[2];
    writeJsonl(noEndings, [docs[0], docs[1], withoutEndings]);
    writeJsonl(badLabel, [{ ...docs[0], label: '7' }]);
    fs.writeFileSync(badText, 'Context: one\n0\na\nb\nc\nd\nContext: two\nx\na\nb\nc\nd\n');
  });
  const model = ['--model', EMBEDDED_MODEL];
  const valid = TASKS.map((t) => t.name).join(', ');
  const cases: [string, () => string[], string][] = [
    ['an unknown task', () => [...model, '--tasks', 'hellaswag,nope'], `--tasks: unknown task 'nope' (tasks: ${valid}; \`carve eval --tasks list\` describes them)`],
    ['a task named twice', () => [...model, '--tasks', 'hellaswag,hellaswag', '--data-dir', DATA], "--tasks: 'hellaswag' named more than once"],
    ['--task-data without =', () => [...model, '--tasks', 'hellaswag', '--task-data', VALIDATION], `--task-data ${VALIDATION}: expected TASK=PATH (hellaswag=data/hellaswag/validation.jsonl)`],
    ['--task-data without a path', () => [...model, '--tasks', 'hellaswag', '--task-data', 'hellaswag='], '--task-data hellaswag=: expected TASK=PATH (hellaswag=data/hellaswag/validation.jsonl)'],
    ['--task-data for a task not in --tasks', () => [...model, '--tasks', 'hellaswag', '--data-dir', DATA, '--task-data', `text-cloze=${TEXT}`], `--task-data text-cloze=${TEXT}: task 'text-cloze' is not in --tasks (hellaswag)`],
    ['--task-options that are not JSON', () => [...model, '--tasks', 'text-cloze', '--text', TEXT, '--task-options', 'text-cloze={seed:1}'], '--task-options text-cloze={seed:1}: not valid JSON ('],
    ['--task-options over several lines that are not JSON (found by tools/fuzz)', () => [...model, '--tasks', 'text-cloze', '--text', TEXT, '--task-options', 'text-cloze={\n"seed":\n}'], '--task-options text-cloze={\\n"seed":\\n}: not valid JSON ('],
    ['--task-options that are not an object', () => [...model, '--tasks', 'text-cloze', '--text', TEXT, '--task-options', 'text-cloze=[1]'], '--task-options text-cloze=[1]: expected a JSON object of options'],
    ['--task-options the task does not have', () => [...model, '--tasks', 'text-cloze', '--text', TEXT, '--task-options', 'text-cloze={"seed":-1,"colour":"red"}'], "task 'text-cloze' options: colour: unknown option (options: data, documents, seed, "],
    ['data by both --task-data and --task-options', () => [...model, '--tasks', 'hellaswag', '--task-data', `hellaswag=${VALIDATION}`, '--task-options', `hellaswag={"data":"${VALIDATION}"}`], "task 'hellaswag': its data is given twice, by --task-data and by --task-options"],
    ['no data for the task', () => [...model, '--tasks', 'hellaswag'], "task 'hellaswag': no data: give the task's folder of <split>.jsonl files (its 'data' option, or a data folder holding hellaswag/validation.jsonl)"],
    ['a data folder without the task', () => [...model, '--tasks', 'hellaswag', '--data-dir', empty], `task 'hellaswag': ${path.join(empty, 'hellaswag', 'validation.jsonl')}: cannot read it (ENOENT)`],
    ['a line that is not JSON', () => [...model, '--tasks', 'hellaswag', '--task-data', `hellaswag=${notJson}`], `task 'hellaswag': ${notJson}:2: not valid JSON`],
    ['a document without a field', () => [...model, '--tasks', 'hellaswag', '--task-data', `hellaswag=${noEndings}`], `task 'hellaswag': ${noEndings}:3: missing field 'endings' (a non-empty list of strings)`],
    ['a label out of range', () => [...model, '--tasks', 'hellaswag', '--task-data', `hellaswag=${badLabel}`], `task 'hellaswag': ${badLabel}:1: label 7 is not the index of one of its 4 endings`],
    ['a bad label in the text layout', () => [...model, '--tasks', 'hellaswag', '--task-data', `hellaswag=${badText}`], `task 'hellaswag': ${badText}:8: the label must be 0, 1, 2 or 3, got "x"`],
    ['a text task without --text', () => [...model, '--tasks', 'text-cloze'], "task/text-cloze@1.0.0: task 'text-cloze': no text to build it from: give its 'data' option (a text file)"],
    ['more shots than the few-shot split holds', () => [...model, '--tasks', 'hellaswag', '--data-dir', DATA, '--shots', '5'], "--shots 5: task 'hellaswag': 5 few-shot examples asked for, but its few-shot split has 4 documents"],
    ['no model', () => ['--tasks', 'hellaswag', '--data-dir', DATA], '--model <path> is required (a Hugging Face folder or a llama2.c .bin; --checkpoint is the same)'],
    ['a missing model', () => ['--model', path.join(tmp, 'none'), '--tasks', 'hellaswag', '--data-dir', DATA], `--model ${path.join(tmp, 'none')}: no such file or folder`],
    ['a missing --text', () => [...model, '--tasks', 'text-cloze', '--text', path.join(tmp, 'none.txt')], `--text ${path.join(tmp, 'none.txt')}: no such file`],
    ['an --output that is a folder', () => [...model, '--tasks', 'hellaswag', '--data-dir', DATA, '--output', tmp], `--output ${tmp}: is a folder; pass a file name`],
  ];
  test.each(cases)('%s: exit 2 with the message', async (_what, argv, message) => {
    const { code, stdout, stderr } = await carve(['eval', ...argv()]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr.startsWith(`carve: ${message}`)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('a llama2.c .bin without --tokenizer: exit 2, asking for it', async () => {
    const bin = path.join(tmp, 'model.bin');
    fs.writeFileSync(bin, Buffer.alloc(28));
    const { code, stderr } = await carve(['eval', '--model', bin, '--tasks', 'hellaswag', '--data-dir', DATA]);
    expect([code, stderr]).toEqual([2, `carve: --tokenizer is required with a llama2.c model (${bin}): pass its tokenizer .bin\n`]);
  });

  const usage: [string, string[], string][] = [
    ['--limit not an integer', ['--limit', '2.5'], "error: option '--limit <n>' argument '2.5' is invalid. must be a positive integer."],
    ['--limit 0', ['--limit', '0'], "error: option '--limit <n>' argument '0' is invalid. must be a positive integer."],
    ['--shots not an integer', ['--shots', 'two'], "error: option '--shots <k>' argument 'two' is invalid. must be a non-negative integer."],
    ['--shots negative', ['--shots', '-1'], "error: option '--shots <k>' argument '-1' is invalid. must be a non-negative integer."],
    ['--seed not an integer', ['--seed', '1e3'], "error: option '--seed <s>' argument '1e3' is invalid. must be a non-negative integer."],
    ['an unknown device', ['--device', 'tpu'], "error: option '--device <name>' argument 'tpu' is invalid. Allowed choices are auto, cpu, cuda."],
  ];
  test.each(usage)('%s: exit 2 with the usage error', async (_what, extra, message) => {
    const { code, stdout, stderr } = await carve(['eval', ...model, '--tasks', 'hellaswag', '--data-dir', DATA, ...extra]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr.split('\n')[0]).toBe(message);
  });

  test('--tasks is required', async () => {
    const { code, stderr } = await carve(['eval', ...model]);
    expect(code).toBe(2);
    expect(stderr).toContain("error: required option '--tasks <names>' not specified");
  });
});

describe('resultsTable', () => {
  const metric = (value: number, stderr: number) => ({ value, stderr });
  const subject = (task: string, documents: number, acc: number): TaskResult => ({
    task,
    version: '1.0.0',
    outputType: 'multiple_choice',
    documents,
    metrics: { acc: metric(acc, 0.1) },
    primaryMetric: 'acc',
    prompts: { shots: 5, seed: 1234, limit: null, evaluationSplit: 'test', fewshotSplit: 'dev', fewshotSampler: 'first_n', files: [] },
  });
  test("a group's subtasks are indented below it; a one-document stderr is N/A", () => {
    const group: TaskResult = { task: 'mmlu', version: '2.0.0', outputType: 'group', documents: 3, metrics: { acc: metric(0.5, 0.25) }, primaryMetric: 'acc', subtasks: [subject('mmlu-anatomy', 2, 0.5), { ...subject('mmlu-law', 1, 1), metrics: { acc: metric(1, NaN) } }] };
    expect(resultsTable([group])).toBe(
      [
        '| Task            | Version | Shots | Docs | Metric |  Value | ± Stderr |',
        '|-----------------|--------:|------:|-----:|--------|-------:|---------:|',
        '| mmlu            |   2.0.0 |     5 |    3 | acc    | 0.5000 |   0.2500 |',
        '|  - mmlu-anatomy |   1.0.0 |     5 |    2 | acc    | 0.5000 |   0.1000 |',
        '|  - mmlu-law     |   1.0.0 |     5 |    1 | acc    | 1.0000 |      N/A |',
        '',
      ].join('\n'),
    );
  });
});

describeWithAssets('carve eval on stories260K', () => {
  const HELLASWAG = path.join(ASSETS, 'tasks', 'hellaswag_val_full.txt');
  test('HellaSwag, the first 20 items, 10-shot', async () => {
    const output = path.join(tmp, 'stories260K.json');
    const { table, record } = await evaluate('--checkpoint', STORIES260K, '--tokenizer', TOK512, '--tasks', 'hellaswag', '--task-data', `hellaswag=${HELLASWAG}`, '--limit', '20', '--output', output);
    expect(table.split('\n')[2]).toMatch(/^\| hellaswag \| +1\.0\.0 \| +10 \| +20 \| acc /);
    const [result] = record!.results;
    expect(result.prompts).toMatchObject({ shots: 10, seed: 1234, limit: 20, evaluationSplit: 'validation', fewshotSplit: 'validation', files: [HELLASWAG] });
    expect(record!.scorer).toMatchObject({ tokenizer: TOK512, bos: true, batchSize: 16 });
    expectFinite(result);
    for (const { value } of Object.values(result.metrics)) expect(value).toBeGreaterThanOrEqual(0);
    for (const { value } of Object.values(result.metrics)) expect(value).toBeLessThanOrEqual(1);
  });

  test('the text tasks on TinyStories', async () => {
    const { table } = await evaluate('--checkpoint', STORIES260K, '--tokenizer', TOK512, '--tasks', 'text-cloze,text-ending', '--text', TINYSTORIES_VALID, '--limit', '20');
    const rows = table.trimEnd().split('\n').slice(2);
    expect(rows.map((l) => l.split('|')[1].trim())).toEqual(['text-cloze', '', 'text-ending', '']);
    for (const row of rows) expect(row.split('|')[6].trim()).toMatch(/^\d+\.\d{4}$/);
  });
});
