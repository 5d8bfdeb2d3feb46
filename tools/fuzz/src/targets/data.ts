/**
 * @module targets/data
 * JSONL data: evaluation tasks (loaded, and every document turned into its prompt and
 * choices, as scoring would), training data (jsonl and alpaca, packed into sequences) and
 * calibration data, all tokenized with the seed's llama2.c vocabulary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildRequests, isTaskGroup, Task, TaskOrGroup, taskPlugins } from '@carve/evaluation';
import { buildCalibrationSet } from '@carve/importance';
import { Llama2cTokenizer, Tokenizer } from '@carve/model';
import { buildTrainingData } from '@carve/trainer';
import { Target } from '../runner';
import { llama2cTokenizerBytes, Seeds } from '../seeds';
import { jsonlCase } from './common';

const tokenizer = (): Tokenizer => Llama2cTokenizer.fromBytes(llama2cTokenizerBytes(), 'tokenizer.bin');

/** The tasks of a plugin's result, a group's one by one. */
const tasksOf = (t: TaskOrGroup): readonly Task[] => (isTaskGroup(t) ? t.tasks : [t]);

export function taskTarget(seeds: Seeds, cases: number): Target {
  const names = Object.keys(seeds.tasks);
  const file = (dir: string) => path.join(dir, 'test.jsonl');
  return {
    name: 'task-jsonl',
    cases,
    prepare(rng, dir) {
      const task = rng.pick(names);
      const m = jsonlCase(rng, seeds.tasks[task]);
      fs.writeFileSync(file(dir), m.data);
      fs.writeFileSync(path.join(dir, 'task'), task);
      return [task, ...m.applied];
    },
    run(dir) {
      const plugin = taskPlugins.find((p) => p.name === fs.readFileSync(path.join(dir, 'task'), 'utf8'))!;
      for (const task of tasksOf(plugin.create({ data: file(dir) } as never, {}))) {
        const docs = task.load();
        if (docs.evaluation.documents.length) buildRequests(task, { shots: 1, seed: 1234 });
      }
    },
    names: (dir) => [file(dir)],
  };
}

export function trainingTarget(seeds: Seeds, cases: number): Target {
  const file = (dir: string) => path.join(dir, 'train.jsonl');
  const tok = tokenizer();
  return {
    name: 'training-jsonl',
    cases,
    prepare(rng, dir) {
      const format = rng.chance(0.5) ? 'jsonl' : 'alpaca';
      const m = jsonlCase(rng, seeds.training[format]);
      fs.writeFileSync(file(dir), m.data);
      fs.writeFileSync(path.join(dir, 'format'), format);
      return [format, ...m.applied];
    },
    run(dir) {
      const format = fs.readFileSync(path.join(dir, 'format'), 'utf8') as 'jsonl' | 'alpaca';
      buildTrainingData(tok, [{ format, path: file(dir) }], { seqLen: 4, seed: 1, validationFraction: 0.2 });
    },
    names: (dir) => [file(dir)],
  };
}

export function calibrationTarget(seeds: Seeds, cases: number): Target {
  const file = (dir: string) => path.join(dir, 'calibration.jsonl');
  const tok = tokenizer();
  return {
    name: 'calibration-jsonl',
    cases,
    prepare(rng, dir) {
      const m = jsonlCase(rng, seeds.training.jsonl);
      fs.writeFileSync(file(dir), m.data);
      return m.applied;
    },
    run: (dir) => buildCalibrationSet(tok, [file(dir)], { seqLen: 4, samples: 2, seed: 1 }),
    names: (dir) => [file(dir)],
  };
}
