/**
 * @module tasks/piqa
 * PIQA, physical commonsense (Bisk et al. 2020), as lm-eval's `piqa`: "Question: {goal}\nAnswer:"
 * and the two solutions as the choices, acc and acc_norm. It reads the Hugging Face layout
 * (`piqa` JSONL: goal, sol1, sol2, label 0 or 1); the test split has no labels, so the
 * validation split is the one scored.
 */
import { z } from 'zod';
import { Fields } from '../documents';
import { MultipleChoiceTask } from '../task';
import { dataOption, indexField, jsonlDocuments, LM_EVAL_DEFAULTS, taskPlugin } from './common';

export interface PiqaDocument {
  where: string;
  goal: string;
  solutions: [string, string];
  label: number;
}

const fromJson = (f: Fields): PiqaDocument => ({ where: f.where, goal: f.string('goal'), solutions: [f.string('sol1'), f.string('sol2')], label: indexField(f, 'label', 2, 'solutions') });

export const piqaTask = taskPlugin(
  'piqa',
  '1.0.0',
  'PIQA physical commonsense (validation split, examples from train), acc and acc_norm; 0-shot in the paper',
  z.object({ data: dataOption }).strict(),
  (options, ctx): MultipleChoiceTask<PiqaDocument> => ({
    name: 'piqa',
    version: '1.0.0',
    outputType: 'multiple_choice',
    metrics: ['acc', 'acc_norm'],
    primaryMetric: 'acc',
    defaultShots: 0,
    ...LM_EVAL_DEFAULTS,
    load: jsonlDocuments('piqa', 'piqa', { evaluation: 'validation', fewshot: 'train' }, { data: options.data, dataDir: ctx.dataDir }, fromJson),
    text: (d) => `Question: ${d.goal}\nAnswer:`,
    choices: (d) => d.solutions,
    gold: (d) => d.label,
  }),
);
