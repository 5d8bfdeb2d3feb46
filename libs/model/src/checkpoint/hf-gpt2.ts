/**
 * @module checkpoint/hf-gpt2
 * GPT-2 in Hugging Face transformers (`GPT2LMHeadModel`). Its linear layers are Conv1D,
 * whose weights are already [in, out] like ours, and `c_attn` fuses q | k | v along the
 * output axis. Learned positions, LayerNorm, a tanh-GELU MLP and a tied head.
 */
import { ModelConfig } from '../config';
import { GELU_BY_ACTIVATION, HfFamily } from './hf-family';

export const gpt2Hf: HfFamily = {
  family: 'gpt2',
  modelTypes: ['gpt2'],
  optionalPrefix: 'transformer.',
  names: {
    'transformer.wte.weight': ['wte', 'copy'],
    'transformer.wpe.weight': ['wpe', 'copy'],
    'transformer.h.{l}.ln_1.weight': ['layers.{l}.norm_1.weight', 'copy'],
    'transformer.h.{l}.ln_1.bias': ['layers.{l}.norm_1.bias', 'copy'],
    'transformer.h.{l}.attn.c_attn.weight': ['layers.{l}.attn.{qkv}.weight', 'qkv-columns'],
    'transformer.h.{l}.attn.c_attn.bias': ['layers.{l}.attn.{qkv}.bias', 'qkv-columns'],
    'transformer.h.{l}.attn.c_proj.weight': ['layers.{l}.attn.o.weight', 'copy'],
    'transformer.h.{l}.attn.c_proj.bias': ['layers.{l}.attn.o.bias', 'copy'],
    'transformer.h.{l}.attn.bias': null, // the causal mask buffer
    'transformer.h.{l}.attn.masked_bias': null, // the masked-score constant buffer
    'transformer.h.{l}.ln_2.weight': ['layers.{l}.norm_2.weight', 'copy'],
    'transformer.h.{l}.ln_2.bias': ['layers.{l}.norm_2.bias', 'copy'],
    'transformer.h.{l}.mlp.c_fc.weight': ['layers.{l}.mlp.fc.weight', 'copy'],
    'transformer.h.{l}.mlp.c_fc.bias': ['layers.{l}.mlp.fc.bias', 'copy'],
    'transformer.h.{l}.mlp.c_proj.weight': ['layers.{l}.mlp.proj.weight', 'copy'],
    'transformer.h.{l}.mlp.c_proj.bias': ['layers.{l}.mlp.proj.bias', 'copy'],
    'transformer.ln_f.weight': ['norm_f.weight', 'copy'],
    'transformer.ln_f.bias': ['norm_f.bias', 'copy'],
    'lm_head.weight': ['lm_head.weight', 'linear'], // an nn.Linear, unlike the Conv1D layers
  },
  fixed: { norm: 'layernorm', mlp: 'gelu', position: 'learned', parallelResidual: false, bias: true, qkvBias: true },

  readConfig(r) {
    const nEmbd = r.int('n_embd');
    const activation = r.string('activation_function', 'gelu_new');
    const gelu = GELU_BY_ACTIVATION[activation];
    if (!gelu) r.reject('activation_function', `supported: ${Object.keys(GELU_BY_ACTIVATION).join(', ')}`);
    if (r.bool('scale_attn_by_inverse_layer_idx', false)) r.reject('scale_attn_by_inverse_layer_idx', 'per-layer attention scaling is not supported');
    if (!r.bool('scale_attn_weights', true)) r.reject('scale_attn_weights', 'unscaled attention is not supported');
    if (r.bool('add_cross_attention', false)) r.reject('add_cross_attention', 'cross-attention (encoder-decoder use) is not supported');
    return {
      family: 'gpt2',
      vocabSize: r.int('vocab_size'),
      nEmbd,
      nLayer: r.int('n_layer'),
      nHead: r.int('n_head'),
      blockSize: r.int('n_positions'),
      mlpHidden: r.int('n_inner', 4 * nEmbd),
      normEps: r.number('layer_norm_epsilon', 1e-5),
      gelu: gelu ?? 'tanh',
      tiedEmbeddings: r.bool('tie_word_embeddings', true),
    };
  },

  writeConfig(c: ModelConfig, issues) {
    if (c.nQueryGroups !== c.nHead) issues.push(`nQueryGroups ${c.nQueryGroups} differs from nHead ${c.nHead}: GPT-2 has one key/value head per query head`);
    if (c.headSize * c.nHead !== c.nEmbd) issues.push(`headSize ${c.headSize} × nHead ${c.nHead} differs from nEmbd ${c.nEmbd}: GPT-2 derives the head size`);
    return {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: c.vocabSize,
      n_embd: c.nEmbd,
      n_layer: c.nLayer,
      n_head: c.nHead,
      n_positions: c.blockSize,
      n_inner: c.mlpHidden,
      activation_function: c.gelu === 'tanh' ? 'gelu_new' : 'gelu',
      layer_norm_epsilon: c.normEps,
      tie_word_embeddings: c.tiedEmbeddings,
      torch_dtype: 'float32',
    };
  },
};
