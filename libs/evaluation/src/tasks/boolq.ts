/**
 * @module tasks/boolq
 * BoolQ yes/no questions about a passage (Clark et al. 2019), as lm-eval's `boolq` (of
 * SuperGLUE): "{passage}\nQuestion: {question}?\nAnswer:", the choices "no" and "yes", acc.
 * It reads either Hugging Face layout: `super_glue` boolq (question, passage, label 0 or 1)
 * or `google/boolq` (question, passage, answer true or false).
 */
import { z } from 'zod';
import { Fields, JsonRecord } from '../documents';
import { MultipleChoiceTask } from '../task';
import { dataOption, indexField, jsonlDocuments, LM_EVAL_DEFAULTS, taskPlugin } from './common';

export interface BoolqDocument {
  where: string;
  passage: string;
  question: string;
  /** 1 for yes. */
  label: number;
}

const CHOICES = ['no', 'yes'];

function fromJson(f: Fields, record: JsonRecord): BoolqDocument {
  const passage = f.string('passage');
  const question = f.string('question');
  let label: number;
  if ('label' in record.fields) label = indexField(f, 'label', 2, 'answers, no and yes');
  else if ('answer' in record.fields) label = f.boolean('answer') ? 1 : 0;
  else throw f.fail("missing field 'label' (0 or 1, as super_glue writes it) or 'answer' (true or false, as google/boolq does)");
  return { where: f.where, passage, question, label };
}

export const boolqTask = taskPlugin(
  'boolq',
  '1.0.0',
  'BoolQ yes/no questions on a passage (validation split, examples from train), acc; 0-shot in the paper',
  z.object({ data: dataOption }).strict(),
  (options, ctx): MultipleChoiceTask<BoolqDocument> => ({
    name: 'boolq',
    version: '1.0.0',
    outputType: 'multiple_choice',
    metrics: ['acc'],
    primaryMetric: 'acc',
    defaultShots: 0,
    ...LM_EVAL_DEFAULTS,
    load: jsonlDocuments('boolq', 'boolq', { evaluation: 'validation', fewshot: 'train' }, { data: options.data, dataDir: ctx.dataDir }, fromJson),
    text: (d) => `${d.passage}\nQuestion: ${d.question}?\nAnswer:`,
    choices: () => CHOICES,
    gold: (d) => d.label,
  }),
);
