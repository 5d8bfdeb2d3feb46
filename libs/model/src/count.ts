/**
 * @module count
 * Sizes of a sub-network, computed from the config alone (no graph, no weights).
 */
import { headsOf, ModelConfig } from './config';
import { paramSpecs } from './params';
import { fullSubNetwork, SubNetwork, subNetworkConfig } from './subnetwork';

/** Parameters of sub-network `s` of `c` (the whole model by default), embeddings included. */
export function countParams(c: ModelConfig, s: SubNetwork = fullSubNetwork(c)): number {
  return paramSpecs(subNetworkConfig(c, s)).reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Forward FLOPs per token at context length `seqLen`: 2 per weight of every matrix product
 * (the output head included; the embedding lookup is free), plus attention's two products
 * over `seqLen` keys (4·heads·headSize·seqLen per layer; causal masking is not discounted).
 */
export function flopsPerToken(c: ModelConfig, s: SubNetwork = fullSubNetwork(c), seqLen = c.blockSize): number {
  const sub = subNetworkConfig(c, s);
  let matmulWeights = 0;
  for (const spec of paramSpecs(sub)) {
    if (spec.shape.length === 2 && spec.name !== 'wte' && spec.name !== 'wpe') matmulWeights += spec.shape[0] * spec.shape[1];
  }
  if (sub.tiedEmbeddings) matmulWeights += sub.vocabSize * sub.nEmbd;
  let attention = 0;
  for (let l = 0; l < sub.nLayer; l++) attention += 4 * headsOf(sub, l) * sub.headSize * seqLen;
  return 2 * matmulWeights + attention;
}
