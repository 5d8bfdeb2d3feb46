import * as path from 'node:path';
import { PluginError, runPluginContract } from '@carve/registry';
import { evaluateTask } from '../evaluate';
import { buildRequests } from '../prompts';
import { PythonRandom } from '../python-random';
import { ContinuationTask, MultipleChoiceTask } from '../task';
import { createTask, Fixture, prompts, StandInScorer, taskDataError } from '../testing';
import { ClozeDocument, EndingDocument, textClozeTask, textEndingTask } from './text';

const fixture = new Fixture();
afterAll(() => fixture.remove());

// Paragraphs between blank lines; a line break inside one reads as a space. "Short one." has
// too few words for either task; text-cloze leaves out the passages whose last word is not a
// plain word (in quotes, a number), text-ending those of fewer than 3 sentences (none here).
const TEXT = `Tom had a red ball. He threw it over the fence. The dog next door caught it.

Lily baked a cake for her mother.
She put candles on top. Her mother smiled.

The sun went down over the hill. The birds flew home. Night came softly.

Short one.

Ben found a shell on the beach. He held it to his ear. It sounded like the "sea!"

Mia read a book about stars. She wanted to fly to the moon. One day she would.

The clock on the wall said it was late. Mum turned off the lights. Everyone went to bed at 10
`;
const file = fixture.file('stories.txt', TEXT);
// The paragraphs of 5+ words, by the line each starts on, split as the tasks split them.
const CLOZE = [
  { line: 1, context: 'Tom had a red ball. He threw it over the fence. The dog next door caught', word: 'it' },
  { line: 3, context: 'Lily baked a cake for her mother. She put candles on top. Her mother', word: 'smiled' },
  { line: 6, context: 'The sun went down over the hill. The birds flew home. Night came', word: 'softly' },
  { line: 12, context: 'Mia read a book about stars. She wanted to fly to the moon. One day she', word: 'would' },
];
const PASSAGES = [
  { line: 1, context: 'Tom had a red ball. He threw it over the fence.', ending: 'The dog next door caught it.' },
  { line: 3, context: 'Lily baked a cake for her mother. She put candles on top.', ending: 'Her mother smiled.' },
  { line: 6, context: 'The sun went down over the hill. The birds flew home.', ending: 'Night came softly.' },
  { line: 10, context: 'Ben found a shell on the beach. He held it to his ear.', ending: 'It sounded like the "sea!"' },
  { line: 12, context: 'Mia read a book about stars. She wanted to fly to the moon.', ending: 'One day she would.' },
  { line: 14, context: 'The clock on the wall said it was late. Mum turned off the lights.', ending: 'Everyone went to bed at 10' },
];
const options = { minWords: 5 };
const cloze = (more = {}) => createTask<ContinuationTask<ClozeDocument>>('text-cloze', { ...options, ...more }, { text: file });
const ending = (more = {}) => createTask<MultipleChoiceTask<EndingDocument>>('text-ending', { ...options, ...more }, { text: file });

test('both meet the plugin contract, reading the context’s text or their data option', async () => {
  for (const plugin of [textClozeTask, textEndingTask]) {
    const { instances } = await runPluginContract(plugin, {
      validOptions: [options, { ...options, data: file, documents: 4, seed: 3 }],
      invalidOptions: [
        { options: { documents: 0 }, field: 'documents' },
        { options: { seed: -1 }, field: 'seed' },
        { options: { minWords: 1.5 }, field: 'minWords' },
      ],
      context: { text: file },
    });
    expect(instances[0]).toMatchObject({ name: plugin.name, version: '1.0.0', defaultShots: 0, targetDelimiter: ' ', fewshotDelimiter: '\n\n' });
  }
  expect(cloze()).toMatchObject({ outputType: 'loglikelihood', metrics: ['acc', 'perplexity'], primaryMetric: 'acc' });
  expect(ending()).toMatchObject({ outputType: 'multiple_choice', metrics: ['acc', 'acc_norm'], primaryMetric: 'acc_norm' });
});

describe('text-cloze', () => {
  test('passages ending in a word, drawn with random.Random(seed).sample; the word after a space is the continuation', () => {
    const order = new PythonRandom(0).sample(CLOZE, 4);
    const { documents, record } = buildRequests(cloze());
    expect(documents.map((d) => d.doc.where)).toEqual(order.map((c) => `${file}:${c.line}`));
    expect(documents.map((d) => d.requests)).toEqual(order.map((c) => [{ context: c.context, continuation: ` ${c.word}` }]));
    expect(record).toMatchObject({ evaluationSplit: 'passages', fewshotSplit: 'none', files: [file] });
    // `documents` caps the draw; another seed draws others.
    expect(buildRequests(cloze({ documents: 2, seed: 7 })).documents.map((d) => d.doc.where)).toEqual(new PythonRandom(7).sample(CLOZE, 2).map((c) => `${file}:${c.line}`));
  });

  test('few-shot examples are other passages, whole', () => {
    const docs = cloze().load().evaluation.documents;
    const rng = new PythonRandom(1234);
    prompts(cloze(), { shots: 2 }).forEach(([[context]], i) => {
      const examples = rng.sample(docs, 3).filter((d) => d !== docs[i]).slice(0, 2);
      expect(context).toBe(examples.map((e) => `${e.context} ${e.word}\n\n`).join('') + docs[i].context);
    });
  });

  test('greedy acc and perplexity from the stand-in scorer', async () => {
    const answers: Record<string, { logLikelihood: number; greedy: boolean }> = { ' it': { logLikelihood: -0.5, greedy: true }, ' smiled': { logLikelihood: -4, greedy: false }, ' softly': { logLikelihood: -2.5, greedy: false }, ' would': { logLikelihood: -1, greedy: true } };
    const result = await evaluateTask(cloze(), new StandInScorer((r) => answers[r.continuation]), {});
    // acc [1, 0, 0, 1] in any order: mean 1/2, sample variance 1/3, stderr √(1/12).
    expect(result.metrics.acc!.value).toBe(0.5);
    expect(result.metrics.acc!.stderr).toBeCloseTo(Math.sqrt(1 / 12), 12);
    // Log-likelihoods −0.5, −4, −2.5, −1: mean −2, sample variance (2.25 + 4 + 0.25 + 1) / 3 = 2.5.
    expect(result.metrics.perplexity!.value).toBeCloseTo(Math.exp(2), 10);
    expect(result.metrics.perplexity!.stderr).toBeCloseTo(Math.exp(2) * Math.sqrt(2.5 / 4), 10);
  });
});

describe('text-ending', () => {
  test('a passage but its last sentence, and four endings: its own, at the answer, and three other passages’', () => {
    const { documents } = buildRequests(ending());
    expect(documents.map((d) => d.doc.where).sort()).toEqual(PASSAGES.map((p) => `${file}:${p.line}`).sort());
    for (const { doc, requests } of documents) {
      const own = PASSAGES.find((p) => `${file}:${p.line}` === doc.where)!;
      const others = PASSAGES.filter((p) => p !== own).map((p) => p.ending);
      expect(doc.endings[doc.label]).toBe(own.ending);
      const wrong = doc.endings.filter((_, i) => i !== doc.label);
      expect(new Set(wrong).size).toBe(3);
      for (const w of wrong) expect(others).toContain(w);
      expect(requests).toEqual(doc.endings.map((e) => ({ context: own.context, continuation: ` ${e}` })));
    }
    // The answers are not all in one place.
    expect(new Set(documents.map((d) => d.doc.label)).size).toBeGreaterThan(1);
  });

  test('acc_norm prefers a long real ending that acc does not', async () => {
    // The real ending at −0.9 a character, the others at −1: acc_norm always right, acc only where
    // the real ending is short enough to beat every other ending's total.
    const scorer = new StandInScorer((r) => (PASSAGES.some((p) => p.context === r.context && ` ${p.ending}` === r.continuation) ? -0.9 : -1) * (r.continuation.length - 1));
    const result = await evaluateTask(ending(), scorer, { samples: true });
    const docs = ending().load().evaluation.documents;
    const acc = docs.map((d) => (d.endings.every((e, i) => i === d.label || 0.9 * d.endings[d.label].length < e.length) ? 1 : 0));
    expect(result.samples!.map((s) => s.metrics)).toEqual(acc.map((a) => ({ acc: a, acc_norm: 1 })));
    expect(acc).toContain(0);
    expect(acc).toContain(1);
    expect(result.metrics.acc_norm).toEqual({ value: 1, stderr: 0 });
  });
});

test('bad input: too few passages, no text, a missing file', () => {
  const few = fixture.file('few.txt', TEXT.split('\n\n').slice(0, 3).join('\n\n'));
  expect(taskDataError(() => createTask<ContinuationTask>('text-cloze', { data: few, minWords: 5 }).load()).message).toBe(`task 'text-cloze': ${few}: only 3 passages of 5+ words end in a word; it needs at least 4`);
  expect(taskDataError(() => createTask<MultipleChoiceTask>('text-ending', { data: few, minWords: 5 }).load()).message).toBe(`task 'text-ending': ${few}: only 3 passages of 5+ words have 3+ sentences; it needs at least 4`);
  expect(() => createTask('text-cloze')).toThrow(PluginError);
  expect(() => createTask('text-cloze')).toThrow(/no text to build it from/);
  const missing = path.join(fixture.dir, 'missing.txt');
  expect(taskDataError(() => createTask<ContinuationTask>('text-ending', { data: missing }).load()).message).toBe(`task 'text-ending': ${missing}: cannot read it (ENOENT)`);
});
