/**
 * @module families/gpt2
 * GPT-2 presets (LayerNorm, tanh-GELU MLP, learned positions, tied head).
 */
import type { Preset } from './index';

export const gpt2Presets: readonly Preset[] = [
  // https://huggingface.co/openai-community/gpt2/blob/main/config.json
  {
    params: 124_439_808,
    config: { name: 'gpt2', family: 'gpt2', vocabSize: 50257, nEmbd: 768, nLayer: 12, nHead: 12, blockSize: 1024, normEps: 1e-5 },
  },
];
