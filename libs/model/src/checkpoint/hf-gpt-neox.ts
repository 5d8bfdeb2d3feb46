/**
 * @module checkpoint/hf-gpt-neox
 * GPT-NeoX in Hugging Face transformers (`GPTNeoXForCausalLM`, the Pythia models):
 * LayerNorm, a GELU MLP, partial rotate-half RoPE, parallel residuals by default, and
 * `query_key_value`, an nn.Linear whose output rows go per head: [q k v] of head 0, then
 * of head 1, and so on.
 */
import { ModelConfig } from '../config';
import { GELU_BY_ACTIVATION, HfFamily } from './hf-family';

export const gptNeoxHf: HfFamily = {
  family: 'gpt_neox',
  modelTypes: ['gpt_neox'],
  names: {
    'gpt_neox.embed_in.weight': ['wte', 'copy'],
    'gpt_neox.layers.{l}.input_layernorm.weight': ['layers.{l}.norm_1.weight', 'copy'],
    'gpt_neox.layers.{l}.input_layernorm.bias': ['layers.{l}.norm_1.bias', 'copy'],
    'gpt_neox.layers.{l}.attention.query_key_value.weight': ['layers.{l}.attn.{qkv}.weight', 'qkv-heads'],
    'gpt_neox.layers.{l}.attention.query_key_value.bias': ['layers.{l}.attn.{qkv}.bias', 'qkv-heads'],
    'gpt_neox.layers.{l}.attention.dense.weight': ['layers.{l}.attn.o.weight', 'linear'],
    'gpt_neox.layers.{l}.attention.dense.bias': ['layers.{l}.attn.o.bias', 'copy'],
    'gpt_neox.layers.{l}.attention.bias': null, // the causal mask buffer
    'gpt_neox.layers.{l}.attention.masked_bias': null, // the masked-score constant buffer
    'gpt_neox.layers.{l}.attention.rotary_emb.inv_freq': null, // RoPE frequencies, recomputed
    'gpt_neox.layers.{l}.post_attention_layernorm.weight': ['layers.{l}.norm_2.weight', 'copy'],
    'gpt_neox.layers.{l}.post_attention_layernorm.bias': ['layers.{l}.norm_2.bias', 'copy'],
    'gpt_neox.layers.{l}.mlp.dense_h_to_4h.weight': ['layers.{l}.mlp.fc.weight', 'linear'],
    'gpt_neox.layers.{l}.mlp.dense_h_to_4h.bias': ['layers.{l}.mlp.fc.bias', 'copy'],
    'gpt_neox.layers.{l}.mlp.dense_4h_to_h.weight': ['layers.{l}.mlp.proj.weight', 'linear'],
    'gpt_neox.layers.{l}.mlp.dense_4h_to_h.bias': ['layers.{l}.mlp.proj.bias', 'copy'],
    'gpt_neox.final_layer_norm.weight': ['norm_f.weight', 'copy'],
    'gpt_neox.final_layer_norm.bias': ['norm_f.bias', 'copy'],
    'embed_out.weight': ['lm_head.weight', 'linear'],
  },
  fixed: { norm: 'layernorm', mlp: 'gelu', position: 'rope', ropeLayout: 'half', bias: true, qkvBias: true },

  readConfig(r) {
    const activation = r.string('hidden_act', 'gelu');
    const gelu = GELU_BY_ACTIVATION[activation];
    if (!gelu) r.reject('hidden_act', `supported: ${Object.keys(GELU_BY_ACTIVATION).join(', ')}`);
    if (!r.bool('attention_bias', true)) r.reject('attention_bias', 'GPT-NeoX without attention biases is not supported');
    return {
      family: 'gpt_neox',
      vocabSize: r.int('vocab_size'),
      nEmbd: r.int('hidden_size'),
      nLayer: r.int('num_hidden_layers'),
      nHead: r.int('num_attention_heads'),
      mlpHidden: r.int('intermediate_size'),
      blockSize: r.int('max_position_embeddings', 2048),
      // Newer transformers also write these under Llama's names.
      rotaryFraction: r.number(['rotary_pct', 'partial_rotary_factor'], 0.25),
      ropeTheta: r.ropeTheta(['rotary_emb_base', 'rope_theta'], 10000),
      normEps: r.number('layer_norm_eps', 1e-5),
      parallelResidual: r.bool('use_parallel_residual', true),
      gelu: gelu ?? 'none',
      tiedEmbeddings: r.bool('tie_word_embeddings', false),
    };
  },

  writeConfig(c: ModelConfig, issues) {
    if (c.nQueryGroups !== c.nHead) issues.push(`nQueryGroups ${c.nQueryGroups} differs from nHead ${c.nHead}: GPT-NeoX has one key/value head per query head`);
    if (c.headSize * c.nHead !== c.nEmbd) issues.push(`headSize ${c.headSize} × nHead ${c.nHead} differs from nEmbd ${c.nEmbd}: GPT-NeoX derives the head size`);
    return {
      architectures: ['GPTNeoXForCausalLM'],
      model_type: 'gpt_neox',
      vocab_size: c.vocabSize,
      hidden_size: c.nEmbd,
      intermediate_size: c.mlpHidden,
      num_hidden_layers: c.nLayer,
      num_attention_heads: c.nHead,
      max_position_embeddings: c.blockSize,
      // Both spellings: older releases read rotary_pct / rotary_emb_base, newer ones Llama's names.
      rotary_pct: c.rotaryFraction,
      partial_rotary_factor: c.rotaryFraction,
      rotary_emb_base: c.ropeTheta,
      rope_theta: c.ropeTheta,
      layer_norm_eps: c.normEps,
      use_parallel_residual: c.parallelResidual,
      attention_bias: true,
      hidden_act: c.gelu === 'tanh' ? 'gelu_new' : 'gelu',
      tie_word_embeddings: c.tiedEmbeddings,
      torch_dtype: 'float32',
    };
  },
};
