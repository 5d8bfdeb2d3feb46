import * as path from 'node:path';
import { runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { buildRequests } from '../prompts';
import { ContinuationTask } from '../task';
import { byContinuation, createTask, Fixture, prompts, taskDataError } from '../testing';
import { LambadaDocument, lambadaOpenaiTask } from './lambada';

const fixture = new Fixture();
afterAll(() => fixture.remove());

const TEXTS = [
  'She put the kettle on and waited for the water to boil',
  '"Where is my hat?" asked Tom. "You left it on the train," said his mother. He ran back to the station',
  // Split on " " as Python's str.split(' ') does: a double space is an empty word, kept.
  'The dog barked at the  mailman',
  'In the morning the farmer milked the cow',
];
fixture.jsonl('lambada_openai/test.jsonl', TEXTS.map((text) => ({ text })));
const ctx = { dataDir: fixture.dir };
const lambada = () => createTask<ContinuationTask<LambadaDocument>>('lambada-openai', {}, ctx);

test('meets the plugin contract: the test split, perplexity and acc, no target delimiter', async () => {
  const { instances } = await runPluginContract(lambadaOpenaiTask, { invalidOptions: [{ options: { data: '' }, field: 'data' }], context: ctx });
  expect(instances[0]).toMatchObject({ name: 'lambada_openai', version: '1.0.0', outputType: 'loglikelihood', metrics: ['perplexity', 'acc'], primaryMetric: 'acc', defaultShots: 0, targetDelimiter: '' });
  expect(buildRequests(lambada()).record).toMatchObject({ evaluationSplit: 'test', fewshotSplit: 'none', files: [path.join(fixture.dir, 'lambada_openai', 'test.jsonl')] });
});

test("the passage but its last word, then ' ' + the last word, as lm-eval's doc_to_text and doc_to_target", () => {
  expect(prompts(lambada())).toEqual([
    [['She put the kettle on and waited for the water to', ' boil']],
    [['"Where is my hat?" asked Tom. "You left it on the train," said his mother. He ran back to the', ' station']],
    [['The dog barked at the ', ' mailman']],
    [['In the morning the farmer milked the', ' cow']],
  ]);
});

test('few-shot examples come from the test split itself, never the document scored, each the whole passage', () => {
  // python3 -c 'import random; r = random.Random(1234); print([[i for i in r.sample(range(4), 2) if i != d][:1] for d in range(4)])'
  const picks = [3, 0, 0, 0];
  prompts(lambada(), { shots: 1 }).forEach(([[context]], i) => {
    expect(context).toBe(`${TEXTS[picks[i]]}\n\n${prompts(lambada())[i][0][0]}`);
  });
  expect(buildRequests(lambada(), { shots: 1 }).record.fewshotSplit).toBe('test');
});

test('acc is greedy decoding producing the word; perplexity is exp(−mean log-likelihood), its stderr perplexity × stderr of the mean', async () => {
  const scorer = byContinuation({
    ' boil': { logLikelihood: -1, greedy: true },
    ' station': { logLikelihood: -2, greedy: false },
    ' mailman': { logLikelihood: -3, greedy: true },
    ' cow': { logLikelihood: -2, greedy: true },
  });
  const result = await evaluateTask(lambada(), scorer, { samples: true });
  expect(result.samples!.map((s) => [s.greedy, s.metrics.acc])).toEqual([
    [true, 1],
    [false, 0],
    [true, 1],
    [true, 1],
  ]);
  // Log-likelihoods −1, −2, −3, −2: mean −2, sample variance 2/3, stderr √(2/3 / 4) = √(1/6).
  expect(result.metrics.perplexity!.value).toBeCloseTo(Math.exp(2), 10);
  expect(result.metrics.perplexity!.stderr).toBeCloseTo(Math.exp(2) * Math.sqrt(1 / 6), 10);
  // acc [1, 0, 1, 1]: mean 3/4, sample variance 1/4, stderr √(1/16) = 1/4.
  expect(result.metrics.acc!.value).toBe(0.75);
  expect(result.metrics.acc!.stderr).toBeCloseTo(0.25, 12);
  expect(result.primaryMetric).toBe('acc');
});

test('bad data: a text of one word, a text ending in a space, a missing text, a text that is not a string', () => {
  const bad = (rows: unknown[]) => taskDataError(() => createTask<ContinuationTask>('lambada-openai', { data: fixture.jsonl('bad/lambada.jsonl', rows) }).load()).message;
  const file = fixture.jsonl('bad/lambada.jsonl', []);
  const noWord = "field 'text' must be words separated by spaces and end in the word to predict";
  expect(bad([{ text: TEXTS[0] }, { text: 'Alone' }])).toBe(`task 'lambada_openai': ${file}:2: ${noWord}`);
  expect(bad([{ text: 'two words ' }])).toBe(`task 'lambada_openai': ${file}:1: ${noWord}`);
  expect(bad([{ txt: TEXTS[0] }])).toBe(`task 'lambada_openai': ${file}:1: missing field 'text' (a string)`);
  expect(bad([{ text: 42 }])).toBe(`task 'lambada_openai': ${file}:1: field 'text' must be a string, got 42`);
});
