/**
 * @module task-accuracy
 * Downstream task accuracy as an objective: a task's acc or acc_norm (lm-eval's prompts and
 * scoring, from @carve/evaluation) of each sub-network, with the trained adapters, on the
 * first `limit` documents. The documents and prompts are built once; each sub-network is
 * scored on the same requests.
 */
import { evaluateTask, isTaskGroup, ModelScorer, taskPlugins, TaskOrGroup } from '@carve/evaluation';
import { Runtime } from '@carve/engine';
import { LanguageModel } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION, PluginRegistry } from '@carve/registry';
import { z } from 'zod';
import { Objective, ObjectiveContext, ObjectiveContextError } from './objective';

const options = z
  .object({
    /** A task plugin's name (`hellaswag`, `mmlu`...); the default is built from the held-out text. */
    task: z.string().min(1).default('text-ending'),
    /** The task plugin's own options (its `data`, say). */
    taskOptions: z.record(z.string(), z.unknown()).default({}),
    /** The metric maximized. @default the task's primary metric */
    metric: z.enum(['acc', 'acc_norm']).optional(),
    /** Documents scored per sub-network: the first `limit` of the task's evaluation split. */
    limit: z.number().int().positive().default(200),
    /** Few-shot examples. @default the task's default */
    shots: z.number().int().min(0).optional(),
    /** Rows per graph run. */
    batch: z.number().int().positive().default(16),
  })
  .strict();

let builtIns: PluginRegistry | undefined;

/** The task, from the context's factory (the run's registry) or the built-in tasks. */
function createTask(ctx: ObjectiveContext, name: string, taskOptions: unknown): TaskOrGroup {
  if (ctx.createTask) return ctx.createTask(name, taskOptions);
  if (!builtIns) {
    builtIns = new PluginRegistry();
    builtIns.register(taskPlugins);
  }
  return builtIns.create<TaskOrGroup>('task', name, taskOptions, ctx.taskContext ?? {});
}

export const taskAccuracyObjective = definePlugin({
  kind: 'objective',
  name: 'task-accuracy',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: "a downstream task's acc or acc_norm on its first documents, lm-eval's prompts and scoring (maximized)",
  options,
  create(o, ctx: ObjectiveContext): Objective {
    const { model, tokenizer } = ctx;
    if (!model) throw new ObjectiveContextError("objective 'task-accuracy' runs the model: it needs the model's weights (a checkpoint), not only a config");
    if (!tokenizer) throw new ObjectiveContextError("objective 'task-accuracy' scores text: it needs the model's tokenizer");
    const task = createTask(ctx, o.task, o.taskOptions);
    // Read the documents now, so missing or malformed data stops the search before its first trial.
    for (const t of isTaskGroup(task) ? task.tasks : [task]) t.load();
    const metric = o.metric ?? (isTaskGroup(task) ? task.tasks[0].primaryMetric : task.primaryMetric);
    const runtime = ctx.runtime ?? new Runtime();
    const results = new Map<string, Promise<{ value: number; details: Record<string, number | string> }>>();
    const measure = async (s: Parameters<Objective['evaluate']>[0]) => {
      const lm = await LanguageModel.create(model, { subNetwork: s, lora: ctx.lora, runtime });
      try {
        const result = await evaluateTask(task, new ModelScorer(lm, tokenizer, { batchSize: o.batch }), { limit: o.limit, shots: o.shots });
        const value = result.metrics[metric];
        if (!value) throw new ObjectiveContextError(`objective 'task-accuracy': task '${o.task}' reports ${Object.keys(result.metrics).join(', ')}, not ${metric}`);
        return { value: value.value, details: { task: o.task, version: result.version, metric, stderr: value.stderr, documents: result.documents } };
      } finally {
        await lm.dispose();
      }
    };
    return {
      name: 'task-accuracy',
      direction: 'maximize',
      // A search may propose a member twice: score it once.
      evaluate: (s) => {
        const key = JSON.stringify(s);
        let found = results.get(key);
        if (!found) {
          found = measure(s);
          results.set(key, found);
        }
        return found;
      },
    };
  },
});
