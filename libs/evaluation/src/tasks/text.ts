/**
 * @module tasks/text
 * Two tasks built from any plain text (TinyStories, a run's held-out text), reproducibly
 * from a seed, so small models trained on that kind of text give informative numbers where
 * the standard benchmarks sit at chance:
 * - `text-cloze`: a passage without its last word; the model must produce that word
 *   greedily (acc) and is scored by its perplexity, as lambada is;
 * - `text-ending`: a passage without its last sentence, and four endings: the real one and
 *   the last sentences of three other passages (acc, acc_norm).
 * Passages are the paragraphs of the text (blocks between blank lines), line breaks inside
 * them read as spaces.
 */
import { z } from 'zod';
import { readTaskFile, TaskDataError } from '../documents';
import { PythonRandom } from '../python-random';
import { ContinuationTask, MultipleChoiceTask, TaskContext } from '../task';
import { LM_EVAL_DEFAULTS, once, taskPlugin } from './common';

interface Passage {
  where: string;
  text: string;
}

/** Sentence ends: ., ! or ? with any closing quotes, then a space. */
const SENTENCE_END = /(?<=[.!?][”"’']*) /;

/**
 * The paragraphs of a text file, each with the line it starts on; a paragraph of more than
 * `maxWords` words (a speech stored as one line) is cut at sentence ends into consecutive
 * passages of at most that many words where its sentences allow.
 */
export function readPassages(file: string, task: string, maxWords = Infinity): Passage[] {
  const passages: Passage[] = [];
  let start = 0;
  let lines: string[] = [];
  const flush = () => {
    const text = lines.join(' ').replace(/\s+/g, ' ').trim();
    lines = [];
    if (!text) return;
    const where = `${file}:${start + 1}`;
    if (text.split(' ').length <= maxWords) return void passages.push({ where, text });
    let part: string[] = [];
    let words = 0;
    let parts = 0;
    const cut = () => {
      if (part.length) passages.push({ where: `${where} (part ${++parts})`, text: part.join(' ') });
      part = [];
      words = 0;
    };
    for (const sentence of text.split(SENTENCE_END)) {
      const n = sentence.split(' ').length;
      if (words && words + n > maxWords) cut();
      part.push(sentence);
      words += n;
    }
    cut();
  };
  readTaskFile(file, task)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return flush();
      if (!lines.length) start = i;
      lines.push(line);
    });
  flush();
  return passages;
}

const textOptions = z
  .object({
    /** The text file; by default the context's text (a run's held-out text). */
    data: z.string().min(1).optional(),
    /** At most this many documents, drawn from the eligible passages. */
    documents: z.number().int().positive().default(500),
    /** Seed of the draw of passages (and of distractors and answer positions). */
    seed: z.number().int().min(0).default(0),
    /** Passages shorter than this many words are left out. */
    minWords: z.number().int().positive().default(12),
    /** Longer paragraphs are cut at sentence ends into passages of about this many words. */
    maxWords: z.number().int().positive().default(150),
  })
  .strict();
type TextOptions = z.output<typeof textOptions>;

function sourceOf(task: string, options: TextOptions, ctx: TaskContext): string {
  const file = options.data ?? ctx.text;
  if (!file) throw new TaskDataError(`task '${task}': no text to build it from: give its 'data' option (a text file)`);
  return file;
}

/** `count` passages drawn from the eligible ones, in the order drawn. */
function draw<P>(eligible: P[], options: TextOptions, rng: PythonRandom, task: string, file: string, what: string): P[] {
  if (eligible.length < 4) throw new TaskDataError(`task '${task}': ${file}: only ${eligible.length} passages ${what}; it needs at least 4`);
  return rng.sample(eligible, Math.min(options.documents, eligible.length));
}

export interface ClozeDocument {
  where: string;
  context: string;
  word: string;
}

/** Ends in a word of letters (then at most closing punctuation): the word to predict. */
const LAST_WORD = /^(.*\S)\s+([A-Za-z][A-Za-z'-]*[A-Za-z])[.!?,;:"”’')]*$/;

export const textClozeTask = taskPlugin(
  'text-cloze',
  '1.0.0',
  'last word of passages of a text file, lambada-style: greedy acc and perplexity',
  textOptions,
  (options, ctx): ContinuationTask<ClozeDocument> => {
    const file = sourceOf('text-cloze', options, ctx);
    return {
      name: 'text-cloze',
      version: '1.0.0',
      outputType: 'loglikelihood',
      metrics: ['acc', 'perplexity'],
      primaryMetric: 'acc',
      defaultShots: 0,
      ...LM_EVAL_DEFAULTS,
      load: once(() => {
        const eligible: ClozeDocument[] = [];
        for (const p of readPassages(file, 'text-cloze', options.maxWords)) {
          const m = LAST_WORD.exec(p.text);
          if (m && p.text.split(' ').length >= options.minWords) eligible.push({ where: p.where, context: m[1], word: m[2] });
        }
        const documents = draw(eligible, options, new PythonRandom(options.seed), 'text-cloze', file, `of ${options.minWords}+ words end in a word`);
        return { evaluation: { split: 'passages', file, documents } };
      }),
      text: (d) => d.context,
      continuation: (d) => d.word,
    };
  },
);

export interface EndingDocument {
  where: string;
  context: string;
  endings: string[];
  label: number;
}

export const textEndingTask = taskPlugin(
  'text-ending',
  '1.0.0',
  "the real last sentence of passages of a text file among three other passages' last sentences: acc and acc_norm",
  textOptions,
  (options, ctx): MultipleChoiceTask<EndingDocument> => {
    const file = sourceOf('text-ending', options, ctx);
    return {
      name: 'text-ending',
      version: '1.0.0',
      outputType: 'multiple_choice',
      metrics: ['acc', 'acc_norm'],
      primaryMetric: 'acc_norm',
      defaultShots: 0,
      ...LM_EVAL_DEFAULTS,
      load: once(() => {
        const split: { where: string; context: string; ending: string }[] = [];
        for (const p of readPassages(file, 'text-ending', options.maxWords)) {
          const sentences = p.text.split(SENTENCE_END);
          if (sentences.length >= 3 && p.text.split(' ').length >= options.minWords) split.push({ where: p.where, context: sentences.slice(0, -1).join(' '), ending: sentences[sentences.length - 1] });
        }
        const rng = new PythonRandom(options.seed);
        const chosen = draw(split, options, rng, 'text-ending', file, `of ${options.minWords}+ words have 3+ sentences`);
        const documents = chosen.map((p) => {
          const pool = [...new Set(split.map((q) => q.ending).filter((e) => e !== p.ending))];
          if (pool.length < 3) throw new TaskDataError(`task 'text-ending': ${file}: the passage at ${p.where} has ${pool.length} other distinct last sentences to draw 3 wrong endings from`);
          const others = rng.sample(pool, 3);
          const label = rng.randbelow(4);
          others.splice(label, 0, p.ending);
          return { where: p.where, context: p.context, endings: others, label };
        });
        return { evaluation: { split: 'passages', file, documents } };
      }),
      text: (d) => d.context,
      choices: (d) => d.endings,
      gold: (d) => d.label,
    };
  },
);
