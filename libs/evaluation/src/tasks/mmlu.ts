/**
 * @module tasks/mmlu
 * MMLU (Hendrycks et al. 2021) as lm-eval's `mmlu`: one task per subject (`mmlu_anatomy`),
 * reported together as a group whose metrics are the size-weighted means over subjects.
 * Each question is shown with its four answers lettered A to D, the letters are the
 * choices, acc; the preamble names the subject, and few-shot examples are the first of the
 * subject's dev split. It reads the Hugging Face layout (`hails/mmlu_no_train` JSONL:
 * question, subject, choices [4], answer 0-3) stored as `<mmlu>/<subject>/test.jsonl` and
 * `dev.jsonl`.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { z } from 'zod';
import { Fields, TaskDataError } from '../documents';
import { MultipleChoiceTask, TaskGroup } from '../task';
import { dataOption, indexField, jsonlDocuments, LM_EVAL_DEFAULTS, pythonStrip, taskPlugin } from './common';

/** lm-eval's 57 MMLU subjects, sorted. */
export const MMLU_SUBJECTS = [
  'abstract_algebra', 'anatomy', 'astronomy', 'business_ethics', 'clinical_knowledge', 'college_biology',
  'college_chemistry', 'college_computer_science', 'college_mathematics', 'college_medicine', 'college_physics',
  'computer_security', 'conceptual_physics', 'econometrics', 'electrical_engineering', 'elementary_mathematics',
  'formal_logic', 'global_facts', 'high_school_biology', 'high_school_chemistry', 'high_school_computer_science',
  'high_school_european_history', 'high_school_geography', 'high_school_government_and_politics',
  'high_school_macroeconomics', 'high_school_mathematics', 'high_school_microeconomics', 'high_school_physics',
  'high_school_psychology', 'high_school_statistics', 'high_school_us_history', 'high_school_world_history',
  'human_aging', 'human_sexuality', 'international_law', 'jurisprudence', 'logical_fallacies', 'machine_learning',
  'management', 'marketing', 'medical_genetics', 'miscellaneous', 'moral_disputes', 'moral_scenarios', 'nutrition',
  'philosophy', 'prehistory', 'professional_accounting', 'professional_law', 'professional_medicine',
  'professional_psychology', 'public_relations', 'security_studies', 'sociology', 'us_foreign_policy', 'virology',
  'world_religions',
] as const;

export interface MmluDocument {
  where: string;
  question: string;
  choices: string[];
  answer: number;
}

const LETTERS = ['A', 'B', 'C', 'D'];

function fromJson(f: Fields): MmluDocument {
  const question = f.string('question');
  const choices = f.strings('choices');
  if (choices.length !== 4) throw f.fail(`field 'choices' has ${choices.length} answers, not 4`);
  return { where: f.where, question, choices, answer: indexField(f, 'answer', 4, 'choices') };
}

/** Edit distance, to suggest the subject a misspelt name meant. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** Why `name` is not a subject, with the three closest subjects: those containing it first, then by edit distance. */
export function unknownSubject(name: string): string {
  const rank = (s: string) => (s.includes(name) ? 0 : 1000) + distance(name, s);
  const closest = [...MMLU_SUBJECTS].sort((a, b) => rank(a) - rank(b)).slice(0, 3);
  return `not one of lm-eval's ${MMLU_SUBJECTS.length} MMLU subjects (closest: ${closest.join(', ')})`;
}

const isSubject = (name: string) => (MMLU_SUBJECTS as readonly string[]).includes(name);

const subjectName = z.string().superRefine((name, ctx) => {
  if (!isSubject(name)) ctx.addIssue({ code: 'custom', message: unknownSubject(name) });
});

/** The subject folders of `folder`, sorted; any other folder is an error, as it is probably a misspelt subject. */
function presentSubjects(folder: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (e) {
    throw new TaskDataError(`task 'mmlu': ${folder}: cannot read the folder of subjects (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const stray = names.find((name) => !isSubject(name));
  if (stray) throw new TaskDataError(`task 'mmlu': ${nodePath.join(folder, stray)}: the folder '${stray}' is ${unknownSubject(stray)}; rename or remove it, or list the subjects in the 'subjects' option`);
  if (!names.length) throw new TaskDataError(`task 'mmlu': ${folder}: no subject folders (<subject>/test.jsonl)`);
  return names;
}

function subjectTask(subject: string, folder: string): MultipleChoiceTask<MmluDocument> {
  const name = `mmlu_${subject}`;
  const preamble = `The following are multiple choice questions (with answers) about ${subject.replace(/_/g, ' ')}.\n\n`;
  return {
    name,
    version: '1.0.0',
    outputType: 'multiple_choice',
    metrics: ['acc'],
    primaryMetric: 'acc',
    defaultShots: 5,
    ...LM_EVAL_DEFAULTS,
    fewshotSampler: 'first_n',
    preamble: () => preamble,
    load: jsonlDocuments(name, subject, { evaluation: 'test', fewshot: 'dev' }, { dataDir: folder }, fromJson),
    text: ({ question, choices: c }) => `${pythonStrip(question)}\nA. ${c[0]}\nB. ${c[1]}\nC. ${c[2]}\nD. ${c[3]}\nAnswer:`,
    choices: () => LETTERS,
    gold: (d) => d.answer,
  };
}

export const mmluTask = taskPlugin(
  'mmlu',
  '1.0.0',
  "MMLU's 57 subjects (test split, the first examples of dev), acc per subject and size-weighted over them; 5-shot in the paper",
  z
    .object({
      data: dataOption.describe('the mmlu folder, of <subject>/test.jsonl and <subject>/dev.jsonl; by default <data folder>/mmlu'),
      /** The subjects to evaluate; by default every subject folder there is. */
      subjects: z
        .array(subjectName)
        .min(1)
        .refine((names) => new Set(names).size === names.length, { error: 'names a subject twice' })
        .optional(),
    })
    .strict(),
  (options, ctx): TaskGroup => {
    const folder = options.data ?? (ctx.dataDir && nodePath.join(ctx.dataDir, 'mmlu'));
    if (!folder) throw new TaskDataError("task 'mmlu': no data: give its 'data' option (the mmlu folder of <subject>/test.jsonl and dev.jsonl) or a data folder holding mmlu/");
    const subjects = options.subjects ?? presentSubjects(folder);
    return { name: 'mmlu', version: '1.0.0', tasks: subjects.map((s) => subjectTask(s, folder)) };
  },
);
