/**
 * @module magnitude
 * Weight magnitude of a sub-network: Σ|w| over the blocks of the weights it keeps. After
 * importance sorting, a candidate that keeps larger weights keeps more of the model.
 */
import { Checkpoint, float32Of } from './checkpoint/checkpoint';
import { paramSpecs } from './params';
import { paramView, sliceWeight } from './slicing';
import { SubNetwork } from './subnetwork';

/** A function giving Σ|w| of any sub-network of `model` (embeddings included). */
export function weightMagnitude(model: Checkpoint): (s: SubNetwork) => number {
  const specs = paramSpecs(model.config);
  return (s) => {
    const kept = new Set(s.layers.map((l) => l.index));
    let total = 0;
    for (const spec of specs) {
      if (spec.layer !== undefined && !kept.has(spec.layer)) continue;
      const block = float32Of(sliceWeight(model.weights.get(spec.name)!, paramView(model.config, s, spec)));
      for (let i = 0; i < block.length; i++) total += Math.abs(block[i]);
    }
    return total;
  };
}
