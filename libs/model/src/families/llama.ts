/**
 * @module families/llama
 * Llama-family presets (RMSNorm, SwiGLU, RoPE, grouped keys and values), including the
 * Mistral and Qwen2 variants and the project's own small benchmark models.
 */
import type { Preset } from './index';

export const llamaPresets: readonly Preset[] = [
  // https://huggingface.co/karpathy/tinyllamas/tree/main/stories260K (llama2.c, no config.json)
  {
    params: 260_032,
    config: { name: 'stories260K', family: 'llama', vocabSize: 512, nEmbd: 64, nLayer: 5, nHead: 8, nQueryGroups: 4, mlpHidden: 172, blockSize: 512, normEps: 1e-5, tiedEmbeddings: true, ropeLayout: 'interleaved' },
  },
  // Benchmark models for the compression pipeline, sized around stories260K's 512-token
  // vocabulary; tied like llama2.c's models, rotate-half RoPE so they save to Hugging Face as is.
  {
    params: 857_216,
    config: { name: 'bench-1M', family: 'llama', vocabSize: 512, nEmbd: 128, nLayer: 4, nHead: 4, nQueryGroups: 4, mlpHidden: 344, blockSize: 512, normEps: 1e-5, tiedEmbeddings: true },
  },
  {
    params: 4_484_352,
    config: { name: 'bench-4M', family: 'llama', vocabSize: 512, nEmbd: 256, nLayer: 6, nHead: 8, nQueryGroups: 4, mlpHidden: 688, blockSize: 512, normEps: 1e-5, tiedEmbeddings: true },
  },
  // https://huggingface.co/HuggingFaceTB/SmolLM2-135M/blob/main/config.json
  {
    params: 134_515_008,
    config: { name: 'SmolLM2-135M', family: 'llama', vocabSize: 49152, nEmbd: 576, nLayer: 30, nHead: 9, nQueryGroups: 3, mlpHidden: 1536, blockSize: 8192, normEps: 1e-5, ropeTheta: 100000, tiedEmbeddings: true },
  },
  // https://huggingface.co/HuggingFaceTB/SmolLM2-360M/blob/main/config.json
  {
    params: 361_821_120,
    config: { name: 'SmolLM2-360M', family: 'llama', vocabSize: 49152, nEmbd: 960, nLayer: 32, nHead: 15, nQueryGroups: 5, mlpHidden: 2560, blockSize: 8192, normEps: 1e-5, ropeTheta: 100000, tiedEmbeddings: true },
  },
  // https://huggingface.co/Qwen/Qwen2.5-0.5B/blob/main/config.json
  {
    params: 494_032_768,
    config: { name: 'Qwen2.5-0.5B', family: 'llama', vocabSize: 151936, nEmbd: 896, nLayer: 24, nHead: 14, nQueryGroups: 2, mlpHidden: 4864, blockSize: 32768, normEps: 1e-6, ropeTheta: 1000000, tiedEmbeddings: true, qkvBias: true },
  },
  // https://huggingface.co/TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T/blob/main/config.json
  {
    params: 1_100_048_384,
    config: { name: 'TinyLlama-1.1B', family: 'llama', vocabSize: 32000, nEmbd: 2048, nLayer: 22, nHead: 32, nQueryGroups: 4, mlpHidden: 5632, blockSize: 2048, normEps: 1e-5 },
  },
];
