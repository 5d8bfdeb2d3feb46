/**
 * @module tasks/lambada
 * LAMBADA (Paperno et al. 2016) in OpenAI's version, as lm-eval's `lambada_openai`: a passage
 * without its last word, and that word as the continuation: its log-likelihood gives
 * perplexity, and whether greedy decoding produces it gives acc. Words are what splitting
 * the text on " " gives, as lm-eval splits it. lm-eval's target is " " + the last word and
 * nothing separates it from the prompt, so the target delimiter is '' here and the space is
 * the continuation's. It reads the Hugging Face layout (`EleutherAI/lambada_openai` JSONL: text).
 */
import { z } from 'zod';
import { Fields } from '../documents';
import { ContinuationTask } from '../task';
import { dataOption, jsonlDocuments, LM_EVAL_DEFAULTS, taskPlugin } from './common';

export interface LambadaDocument {
  where: string;
  /** The text's words but the last, joined by " ". */
  context: string;
  word: string;
}

function fromJson(f: Fields): LambadaDocument {
  const words = f.string('text').split(' ');
  const word = words.pop()!;
  if (!words.length || !word) throw f.fail("field 'text' must be words separated by spaces and end in the word to predict");
  return { where: f.where, context: words.join(' '), word };
}

export const lambadaOpenaiTask = taskPlugin(
  'lambada-openai',
  '1.0.0',
  "LAMBADA (OpenAI's) last word of passages (test split), perplexity and greedy acc; 0-shot in the paper",
  z.object({ data: dataOption }).strict(),
  (options, ctx): ContinuationTask<LambadaDocument> => ({
    name: 'lambada_openai',
    version: '1.0.0',
    outputType: 'loglikelihood',
    metrics: ['perplexity', 'acc'],
    primaryMetric: 'acc',
    defaultShots: 0,
    ...LM_EVAL_DEFAULTS,
    targetDelimiter: '',
    load: jsonlDocuments('lambada_openai', 'lambada_openai', { evaluation: 'test' }, { data: options.data, dataDir: ctx.dataDir }, fromJson),
    text: (d) => d.context,
    continuation: (d) => ` ${d.word}`,
  }),
);
