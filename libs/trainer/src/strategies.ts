/**
 * @module strategies
 * Training strategies: which networks a super-network training step trains, and with which
 * loss. A strategy only plans; the step (step.ts) runs the plan.
 */
import { SubNetwork } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { Sampler } from '@carve/sampler';
import { z } from 'zod';
import { DISTILLATION_KINDS } from './distillation';
import { DistillationOptions } from './training-graph';

/** One network of a step: the full model (no subNetwork) or a sub-network, and its loss. */
export interface PlannedNetwork {
  subNetwork?: SubNetwork;
  /** Weight α of its cross-entropy. */
  ceWeight: number;
  /** Distillation from the full network's logits in the same step, for students. */
  distillation?: DistillationOptions;
}

export interface TrainingStrategy {
  readonly name: string;
  /** The networks of the next step, drawn from `sampler` where the strategy samples. */
  plan(sampler: Sampler): Promise<PlannedNetwork[]>;
}

const full: PlannedNetwork = { ceWeight: 1 };

/** What every strategy is built from. */
export interface StrategyContext {
  /** The smallest sub-network of the space, for sandwiches that force it. */
  smallest?: SubNetwork;
}

const sampled = z.number().int().min(0).default(2);

export const standardStrategy = definePlugin({
  kind: 'training-strategy',
  name: 'standard',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'one network per step: the full model',
  options: z.object({}),
  create: (): TrainingStrategy => ({ name: 'standard', plan: async () => [full] }),
});

export const randomStrategy = definePlugin({
  kind: 'training-strategy',
  name: 'random',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'n sampled sub-networks per step, on cross-entropy',
  options: z.object({ n: z.number().int().min(1).default(1) }),
  create: ({ n }): TrainingStrategy => ({
    name: 'random',
    plan: async (sampler) => (await sampler.sample(n)).map((subNetwork) => ({ subNetwork, ceWeight: 1 })),
  }),
});

export const sandwichStrategy = definePlugin({
  kind: 'training-strategy',
  name: 'sandwich',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'the full network and n sampled sub-networks (the smallest optionally forced), on cross-entropy',
  options: z.object({ n: sampled, forceSmallest: z.boolean().default(true) }),
  create: ({ n, forceSmallest }, ctx: StrategyContext): TrainingStrategy => ({
    name: 'sandwich',
    plan: async (sampler) => [full, ...(await students(sampler, n, forceSmallest, ctx)).map((subNetwork) => ({ subNetwork, ceWeight: 1 }))],
  }),
});

export const sandwichKdStrategy = definePlugin({
  kind: 'training-strategy',
  name: 'sandwich-kd',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: "the paper's: the full network on cross-entropy, each sampled sub-network on α·CE + β·D_T(teacher ‖ student) with the full network's logits as teacher",
  options: z.object({
    n: sampled,
    forceSmallest: z.boolean().default(true),
    alpha: z.number().min(0).default(0.5),
    beta: z.number().min(0).default(2),
    temperature: z.number().positive().default(1),
    divergence: z.enum(DISTILLATION_KINDS as readonly ['forward-kl', 'reverse-kl', 'js']).default('forward-kl'),
  }),
  create: (o, ctx: StrategyContext): TrainingStrategy => ({
    name: 'sandwich-kd',
    plan: async (sampler) => [
      full,
      ...(await students(sampler, o.n, o.forceSmallest, ctx)).map((subNetwork) => ({
        subNetwork,
        ceWeight: o.alpha,
        distillation: { weight: o.beta, temperature: o.temperature, kind: o.divergence },
      })),
    ],
  }),
});

/** n sub-networks: the smallest first when forced, the rest from the sampler. */
async function students(sampler: Sampler, n: number, forceSmallest: boolean, ctx: StrategyContext): Promise<SubNetwork[]> {
  if (n === 0) return [];
  const force = forceSmallest && ctx.smallest !== undefined;
  const drawn = n - (force ? 1 : 0) > 0 ? await sampler.sample(n - (force ? 1 : 0)) : [];
  return force ? [ctx.smallest!, ...drawn] : drawn;
}

/** Every built-in strategy. */
export const strategyPlugins = [standardStrategy, randomStrategy, sandwichStrategy, sandwichKdStrategy];
