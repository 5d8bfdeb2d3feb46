/**
 * @module steps/train/networks
 * What a run samples and how it trains them: the sampler (a grid sampler's grid is built once,
 * from the seed, and drawn from each step), the training strategy, and the three networks
 * evaluated on schedule (largest, a medium one, smallest).
 */
import { Rng } from '@carve/engine';
import { Checkpoint, SubNetwork, weightMagnitude } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { drawFrom, gridSampler, Sampler, SamplerContext } from '@carve/sampler';
import { SearchSpace } from '@carve/search-space';
import { TrainingStrategy } from '@carve/trainer';
import { stream, STREAMS } from './random';
import { GRID_SAMPLERS, TrainSettings } from './settings';

/** The sampling side of a run. */
export interface RunNetworks {
  sampler: Sampler;
  /** The sampler's generator, saved and restored with the trainer's checkpoints. */
  samplerRng: Rng;
  strategy: TrainingStrategy;
  /** The networks evaluated on schedule, by name. */
  evaluated: { largest: SubNetwork; medium: SubNetwork; smallest: SubNetwork };
}

/** Creates the sampler and strategy of `s` through `registry`, and picks the evaluated networks. */
export async function createRunNetworks(s: TrainSettings, model: Checkpoint, space: SearchSpace, registry: PluginRegistry): Promise<RunNetworks> {
  const samplerRng = stream(s.seed, STREAMS.sampler);
  const context: SamplerContext = { space, rng: samplerRng, weightMagnitude: weightMagnitude(model) };
  const created = await registry.create<Sampler | Promise<Sampler>>('sampler', s.sampler, s.samplerOptions, context);
  let sampler = created;
  let medium: SubNetwork;
  if (GRID_SAMPLERS.includes(s.sampler)) {
    // Built now, from the seed, before a resumed run restores the generator: the same grid every time.
    const grid = await created.sample(1 << 16);
    medium = grid[Math.floor(grid.length / 2)];
    sampler = drawFrom(created, context);
  } else {
    const diagonal = await gridSampler({ space, rng: new Rng(0) }).sample(3);
    medium = diagonal[Math.floor(diagonal.length / 2)];
  }
  const strategy = await registry.create<TrainingStrategy | Promise<TrainingStrategy>>('training-strategy', s.strategy, s.strategyOptions, { smallest: space.smallest() });
  return { sampler, samplerRng, strategy, evaluated: { largest: space.largest(), medium, smallest: space.smallest() } };
}
