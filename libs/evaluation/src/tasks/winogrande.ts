/**
 * @module tasks/winogrande
 * WinoGrande pronoun resolution (Sakaguchi et al. 2020) as lm-eval's `winogrande`, scored
 * partially: each option fills the blank ("_") of the sentence and ends its own prompt, and
 * the rest of the sentence, the same for both, is the continuation scored after each; acc.
 * It reads the Hugging Face layout (`winogrande` winogrande_xl JSONL: sentence, option1,
 * option2, answer "1" or "2"); the test split has no answers, so validation is scored.
 */
import { z } from 'zod';
import { Fields } from '../documents';
import { PartialScoringTask } from '../task';
import { dataOption, jsonlDocuments, LM_EVAL_DEFAULTS, pythonStrip, taskPlugin } from './common';

export interface WinograndeDocument {
  where: string;
  /** The sentence up to the blank, filled with option1, then option2 (lm-eval's partial_context). */
  contexts: [string, string];
  /** The sentence after the blank, stripped (lm-eval's partial_target). */
  continuation: string;
  /** 0 for option1. */
  gold: number;
}

function fromJson(f: Fields): WinograndeDocument {
  const sentence = f.string('sentence');
  const blank = sentence.indexOf('_');
  if (blank < 0) throw f.fail(`field 'sentence' has no blank ('_') for an option to fill: ${JSON.stringify(sentence.slice(0, 60))}`);
  const before = sentence.slice(0, blank);
  const contexts: [string, string] = [before + f.string('option1'), before + f.string('option2')];
  const answer = f.integer('answer');
  if (answer !== 1 && answer !== 2) throw f.fail(`field 'answer' is ${answer}, not 1 or 2 (option1 or option2)`);
  return { where: f.where, contexts, continuation: pythonStrip(sentence.slice(blank + 1)), gold: answer - 1 };
}

export const winograndeTask = taskPlugin(
  'winogrande',
  '1.0.0',
  'WinoGrande fill-in-the-blank, partially scored (validation split, examples from train), acc; 5-shot in the paper',
  z.object({ data: dataOption }).strict(),
  (options, ctx): PartialScoringTask<WinograndeDocument> => ({
    name: 'winogrande',
    version: '1.0.0',
    outputType: 'multiple_input',
    metrics: ['acc'],
    primaryMetric: 'acc',
    defaultShots: 5,
    ...LM_EVAL_DEFAULTS,
    load: jsonlDocuments('winogrande', 'winogrande', { evaluation: 'validation', fewshot: 'train' }, { data: options.data, dataDir: ctx.dataDir }, fromJson),
    contexts: (d) => d.contexts,
    continuation: (d) => d.continuation,
    gold: (d) => d.gold,
  }),
);
