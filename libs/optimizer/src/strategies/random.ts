/**
 * @module random
 * Random search: the baseline every other strategy has to beat at the same budget.
 */
import { Strategy, StrategyContext } from '../strategy';

/** Draws every proposal from the domain at random; results change nothing. */
export function randomStrategy<T>(ctx: StrategyContext<T>): Strategy<T> {
  return {
    ask: () => ctx.domain.sample(ctx.rng),
    tell: () => undefined,
  };
}
