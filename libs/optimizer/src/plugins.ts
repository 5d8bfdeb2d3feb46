/**
 * @module plugins
 * The built-in search strategies as plugins of kind 'optimizer'. `create` takes the
 * optimizer's StrategyContext, so a strategy is built by the registry from a run spec's name
 * and options: `(ctx) => registry.create('optimizer', name, options, ctx)`.
 */
import { definePlugin, PLUGIN_API_VERSION, PluginRegistry } from '@carve/registry';
import { z } from 'zod';
import { Strategy, StrategyContext } from './strategy';
import { localSearch } from './strategies/local-search';
import { moRea } from './strategies/mo-rea';
import { nsga2 } from './strategies/nsga2';
import { paregoOptionsSchema, paregoStrategy } from './strategies/parego';
import { randomStrategy } from './strategies/random';

const plugin = <O extends z.ZodType>(name: string, description: string, options: O, create: (o: z.output<O>, ctx: StrategyContext<unknown>) => Strategy<unknown>) =>
  definePlugin({ kind: 'optimizer', name, version: '1.0.0', apiVersion: PLUGIN_API_VERSION, description, options, create });

const etaM = z.number().min(0).default(20);
const mutationRate = z.number().min(0).max(1).optional();

/** The built-in strategies, for a registry: random search, NSGA-II, MO-REA, Pareto local search and ParEGO. */
export const optimizerPlugins = [
  plugin('random', 'uniform random samples of the domain: the baseline', z.object({}), (_o, ctx) => randomStrategy(ctx)),
  plugin(
    'nsga2',
    'NSGA-II: tournament on rank and crowding, SBX and polynomial mutation, elitist selection',
    z.object({
      population: z.number().int().min(4).default(20),
      crossoverProbability: z.number().min(0).max(1).default(0.9),
      etaC: z.number().min(0).default(15),
      etaM,
      mutationRate,
    }),
    (o, ctx) => nsga2(ctx, o),
  ),
  plugin(
    'mo-rea',
    'multi-objective regularized (aging) evolution: mutate the best of a random sample, drop the oldest',
    z
      .object({
        population: z.number().int().min(2).default(20),
        sampleSize: z.number().int().min(2).default(5),
        etaM,
        mutationRate,
        tieBreak: z.enum(['hypervolume', 'crowding']).default('hypervolume'),
      })
      .refine((o) => o.sampleSize <= o.population, { message: 'must be at most the population', path: ['sampleSize'] }),
    (o, ctx) => moRea(ctx, o),
  ),
  plugin(
    'local-search',
    'Pareto local search: unvisited neighbours of the non-dominated archive',
    z.object({ pick: z.enum(['uniform', 'least-explored']).default('least-explored') }),
    (o, ctx) => localSearch(ctx, o),
  ),
  plugin(
    'parego',
    'ParEGO: a Gaussian process on a random Tchebycheff scalarisation per step, maximizing expected improvement (for small budgets)',
    paregoOptionsSchema,
    (o, ctx) => paregoStrategy(ctx, o),
  ),
];

const builtins = new PluginRegistry();
builtins.register(optimizerPlugins);

/**
 * `createStrategy` for a built-in strategy by name, its options parsed by the plugin's schema
 * (defaults filled in, mistakes reported naming the plugin). A run that also takes
 * third-party strategies creates them from its own registry the same way.
 */
export function builtinStrategy<T>(name: string, options: unknown = {}): (ctx: StrategyContext<T>) => Strategy<T> {
  return (ctx) => builtins.create<Strategy<T>>('optimizer', name, options, ctx);
}
