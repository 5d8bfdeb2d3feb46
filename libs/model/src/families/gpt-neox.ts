/**
 * @module families/gpt-neox
 * GPT-NeoX presets: the Pythia suite (LayerNorm, erf-GELU MLP, RoPE on a quarter of each
 * head, parallel residuals, untied head, vocabulary padded to 50304).
 */
import type { Preset } from './index';

export const gptNeoxPresets: readonly Preset[] = [
  // https://huggingface.co/EleutherAI/pythia-14m/blob/main/config.json
  {
    params: 14_067_712,
    config: { name: 'pythia-14m', family: 'gpt_neox', vocabSize: 50304, nEmbd: 128, nLayer: 6, nHead: 4, mlpHidden: 512, blockSize: 2048, normEps: 1e-5, rotaryFraction: 0.25, ropeTheta: 10000, parallelResidual: true },
  },
  // https://huggingface.co/EleutherAI/pythia-70m/blob/main/config.json
  {
    params: 70_426_624,
    config: { name: 'pythia-70m', family: 'gpt_neox', vocabSize: 50304, nEmbd: 512, nLayer: 6, nHead: 8, mlpHidden: 2048, blockSize: 2048, normEps: 1e-5, rotaryFraction: 0.25, ropeTheta: 10000, parallelResidual: true },
  },
];
