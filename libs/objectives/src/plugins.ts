/**
 * @module plugins
 * The built-in objectives as plugins of kind 'objective'. Those that run the model say
 * which part of the context they miss, naming themselves.
 */
import { Runtime } from '@carve/engine';
import { countParams, flopsPerToken, weightMagnitude } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { z } from 'zod';
import { latencyObjectivePlugins } from './latency/plugins';
import { Objective, ObjectiveContext, ObjectiveContextError } from './objective';
import { taskAccuracyObjective } from './task-accuracy';
import { ValidationEvaluator } from './validation';

const plugin = <O extends z.ZodType>(name: string, description: string, options: O, create: (o: z.output<O>, ctx: ObjectiveContext) => Objective) =>
  definePlugin({ kind: 'objective', name, version: '1.0.0', apiVersion: PLUGIN_API_VERSION, description, options, create });


const validationOptions = z.object({
  seqLen: z.number().int().positive().optional(),
  windows: z.number().int().positive().default(32),
  batch: z.number().int().positive().default(8),
});

// Objectives built on one context with the same settings share one evaluator (val-loss and
// perplexity are then one pass over the data), and one runtime per context.
const evaluators = new WeakMap<ObjectiveContext, Map<string, ValidationEvaluator>>();
const runtimes = new WeakMap<ObjectiveContext, Runtime>();

function evaluator(name: string, ctx: ObjectiveContext, settings: z.output<typeof validationOptions>): ValidationEvaluator {
  if (!ctx.model) throw new ObjectiveContextError(`objective '${name}' runs the model: it needs the model's weights (a checkpoint), not only a config`);
  if (!ctx.validation) throw new ObjectiveContextError(`objective '${name}' needs held-out text (validation data)`);
  const key = JSON.stringify(settings);
  const shared = evaluators.get(ctx) ?? new Map<string, ValidationEvaluator>();
  evaluators.set(ctx, shared);
  let found = shared.get(key);
  if (!found) {
    let runtime = ctx.runtime ?? runtimes.get(ctx);
    if (!runtime) {
      runtime = new Runtime();
      runtimes.set(ctx, runtime);
    }
    found = new ValidationEvaluator(ctx.model, ctx.validation, ctx.lora, runtime, settings);
    shared.set(key, found);
  }
  return found;
}

export const paramsObjective = plugin('params', 'parameters of the sub-network, embeddings included (minimized)', z.object({}), (_o, ctx) => ({
  name: 'params',
  direction: 'minimize',
  evaluate: (s) => countParams(ctx.config, s),
}));

export const flopsObjective = plugin(
  'flops',
  'forward FLOPs per token at a context length (minimized)',
  z.object({ seqLen: z.number().int().positive().optional() }),
  (options, ctx) => ({ name: 'flops', direction: 'minimize', evaluate: (s) => flopsPerToken(ctx.config, s, options.seqLen ?? ctx.config.blockSize) }),
);

export const valLossObjective = plugin('val-loss', 'mean next-token cross-entropy on held-out text, in nats (minimized)', validationOptions, (o, ctx) => {
  const e = evaluator('val-loss', ctx, o);
  return { name: 'val-loss', direction: 'minimize', evaluate: async (s) => ({ value: await e.loss(s), details: { tokens: e.tokens } }) };
});

export const perplexityObjective = plugin('perplexity', 'exp of the held-out loss (minimized)', validationOptions, (o, ctx) => {
  const e = evaluator('perplexity', ctx, o);
  return { name: 'perplexity', direction: 'minimize', evaluate: async (s) => ({ value: Math.exp(await e.loss(s)), details: { tokens: e.tokens } }) };
});

export const klObjective = plugin('kl', 'KL divergence of the sub-network’s next-token distribution from the full network’s, nats per token (minimized)', validationOptions, (o, ctx) => {
  const e = evaluator('kl', ctx, o);
  return { name: 'kl', direction: 'minimize', evaluate: async (s) => ({ value: await e.kl(s), details: { tokens: e.tokens } }) };
});

export const magnitudeObjective = plugin('magnitude', 'Σ|w| of the weights the sub-network keeps (maximized: after sorting, more kept magnitude means more of the model kept)', z.object({}), (_o, ctx) => {
  if (!ctx.model) throw new ObjectiveContextError("objective 'magnitude' needs the model's weights (a checkpoint), not only a config");
  return { name: 'magnitude', direction: 'maximize', evaluate: weightMagnitude(ctx.model) };
});

/** Every built-in objective. */
export const objectivePlugins = [paramsObjective, flopsObjective, valLossObjective, perplexityObjective, klObjective, magnitudeObjective, taskAccuracyObjective, ...latencyObjectivePlugins];
