/**
 * @module tasks/arc
 * The AI2 Reasoning Challenge (Clark et al. 2018) as lm-eval's `arc_easy` and
 * `arc_challenge`: "Question: …\nAnswer:" as the prompt, the answers' texts as the choices,
 * acc and acc_norm. It reads the Hugging Face layout (`allenai/ai2_arc` JSONL: id, question,
 * choices {text, label}, answerKey); the right choice is the answer key's place among the
 * labels, which are letters ("A".."E") or, for some questions, digits ("1".."4").
 */
import { z } from 'zod';
import { Fields } from '../documents';
import { MultipleChoiceTask } from '../task';
import { dataOption, jsonlDocuments, LM_EVAL_DEFAULTS, taskPlugin } from './common';

export interface ArcDocument {
  where: string;
  question: string;
  choices: string[];
  gold: number;
}

function fromJson(f: Fields): ArcDocument {
  const question = f.string('question');
  const choices = f.strings('choices.text');
  const labels = f.strings('choices.label');
  if (labels.length !== choices.length) throw f.fail(`${labels.length} labels in 'choices.label' for ${choices.length} answers in 'choices.text'`);
  const answerKey = f.string('answerKey');
  const gold = labels.indexOf(answerKey);
  if (gold < 0) throw f.fail(`field 'answerKey' is ${JSON.stringify(answerKey)}, not one of its labels (${labels.join(', ')})`);
  return { where: f.where, question, choices, gold };
}

/** One of the two ARC sets: `name` is lm-eval's task name and the dataset folder. */
const arcTask = (plugin: string, name: string, description: string, defaultShots: number) =>
  taskPlugin(plugin, '1.0.0', description, z.object({ data: dataOption }).strict(), (options, ctx): MultipleChoiceTask<ArcDocument> => ({
    name,
    version: '1.0.0',
    outputType: 'multiple_choice',
    metrics: ['acc', 'acc_norm'],
    primaryMetric: 'acc_norm',
    defaultShots,
    ...LM_EVAL_DEFAULTS,
    load: jsonlDocuments(name, name, { evaluation: 'test', fewshot: 'train' }, { data: options.data, dataDir: ctx.dataDir }, fromJson),
    text: (d) => `Question: ${d.question}\nAnswer:`,
    choices: (d) => d.choices,
    gold: (d) => d.gold,
  }));

export const arcEasyTask = arcTask('arc-easy', 'arc_easy', 'ARC-Easy science questions (test split, examples from train), acc and acc_norm; 0-shot in the paper', 0);

export const arcChallengeTask = arcTask('arc-challenge', 'arc_challenge', 'ARC-Challenge science questions (test split, examples from train), acc and acc_norm; 25-shot in the paper', 25);
