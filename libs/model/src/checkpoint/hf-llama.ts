/**
 * @module checkpoint/hf-llama
 * Llama and its variants in Hugging Face transformers: `LlamaForCausalLM`,
 * `MistralForCausalLM` and `Qwen2ForCausalLM` share one layout (RMSNorm, SwiGLU,
 * rotate-half RoPE, grouped keys and values). Qwen2 adds biases to q, k and v only.
 */
import { ModelConfig } from '../config';
import { HfFamily } from './hf-family';

/** transformers' default `max_position_embeddings` per model_type, for configs that omit it. */
const DEFAULT_POSITIONS: Record<string, number> = { llama: 2048, mistral: 4096 * 32, qwen2: 32768 };

export const llamaHf: HfFamily = {
  family: 'llama',
  modelTypes: ['llama', 'mistral', 'qwen2'],
  names: {
    'model.embed_tokens.weight': ['wte', 'copy'],
    'model.layers.{l}.input_layernorm.weight': ['layers.{l}.norm_1.weight', 'copy'],
    'model.layers.{l}.self_attn.q_proj.weight': ['layers.{l}.attn.q.weight', 'linear'],
    'model.layers.{l}.self_attn.q_proj.bias': ['layers.{l}.attn.q.bias', 'copy'],
    'model.layers.{l}.self_attn.k_proj.weight': ['layers.{l}.attn.k.weight', 'linear'],
    'model.layers.{l}.self_attn.k_proj.bias': ['layers.{l}.attn.k.bias', 'copy'],
    'model.layers.{l}.self_attn.v_proj.weight': ['layers.{l}.attn.v.weight', 'linear'],
    'model.layers.{l}.self_attn.v_proj.bias': ['layers.{l}.attn.v.bias', 'copy'],
    'model.layers.{l}.self_attn.o_proj.weight': ['layers.{l}.attn.o.weight', 'linear'],
    'model.layers.{l}.self_attn.o_proj.bias': ['layers.{l}.attn.o.bias', 'copy'],
    'model.layers.{l}.self_attn.rotary_emb.inv_freq': null, // a buffer older checkpoints saved; RoPE is recomputed
    'model.layers.{l}.post_attention_layernorm.weight': ['layers.{l}.norm_2.weight', 'copy'],
    'model.layers.{l}.mlp.gate_proj.weight': ['layers.{l}.mlp.gate.weight', 'linear'],
    'model.layers.{l}.mlp.gate_proj.bias': ['layers.{l}.mlp.gate.bias', 'copy'],
    'model.layers.{l}.mlp.up_proj.weight': ['layers.{l}.mlp.up.weight', 'linear'],
    'model.layers.{l}.mlp.up_proj.bias': ['layers.{l}.mlp.up.bias', 'copy'],
    'model.layers.{l}.mlp.down_proj.weight': ['layers.{l}.mlp.down.weight', 'linear'],
    'model.layers.{l}.mlp.down_proj.bias': ['layers.{l}.mlp.down.bias', 'copy'],
    'model.norm.weight': ['norm_f.weight', 'copy'],
    'lm_head.weight': ['lm_head.weight', 'linear'],
  },
  fixed: { norm: 'rmsnorm', mlp: 'swiglu', position: 'rope', ropeLayout: 'half', rotaryFraction: 1, parallelResidual: false },

  readConfig(r, modelType) {
    const nHead = r.int('num_attention_heads');
    if (r.string('hidden_act', 'silu') !== 'silu') r.reject('hidden_act', `only 'silu' (the SwiGLU MLP) is supported for '${modelType}' models`);
    // Llama's attention_bias covers q, k, v and o, mlp_bias the MLP; our `bias` covers o and
    // the MLP together, so only both or neither fit. Qwen2 hard-codes q, k, v biases.
    const attentionBias = modelType === 'llama' && r.bool('attention_bias', false);
    const mlpBias = modelType === 'llama' && r.bool('mlp_bias', false);
    if (attentionBias !== mlpBias) r.issues.push(`'attention_bias' = ${attentionBias} with 'mlp_bias' = ${mlpBias}: only both or neither are supported`);
    // Mistral's sliding_window (and Qwen2's, when use_sliding_window is set) is ignored:
    // attention over at most sliding_window tokens equals full causal attention, so the
    // model is exact for sequences up to that length and differs only beyond it.
    return {
      family: 'llama',
      vocabSize: r.int('vocab_size'),
      nEmbd: r.int('hidden_size'),
      nLayer: r.int('num_hidden_layers'),
      nHead,
      nQueryGroups: r.int('num_key_value_heads', nHead),
      headSize: r.has('head_dim') ? r.int('head_dim') : undefined,
      mlpHidden: r.int('intermediate_size'),
      blockSize: r.int('max_position_embeddings', DEFAULT_POSITIONS[modelType]),
      normEps: r.number('rms_norm_eps', 1e-6),
      ropeTheta: r.ropeTheta('rope_theta', 10000),
      tiedEmbeddings: r.bool('tie_word_embeddings', false),
      bias: attentionBias && mlpBias,
      qkvBias: modelType === 'qwen2' || attentionBias,
    };
  },

  writeConfig(c: ModelConfig, issues) {
    if (c.bias && !c.qkvBias) issues.push('bias without qkvBias: Hugging Face Llama models have either all attention and MLP biases, or (Qwen2) q, k and v biases only');
    const qwen2 = c.qkvBias && !c.bias;
    return {
      architectures: [qwen2 ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
      model_type: qwen2 ? 'qwen2' : 'llama',
      vocab_size: c.vocabSize,
      hidden_size: c.nEmbd,
      intermediate_size: c.mlpHidden,
      num_hidden_layers: c.nLayer,
      num_attention_heads: c.nHead,
      num_key_value_heads: c.nQueryGroups,
      head_dim: c.headSize,
      max_position_embeddings: c.blockSize,
      rms_norm_eps: c.normEps,
      rope_theta: c.ropeTheta,
      rope_scaling: null,
      hidden_act: 'silu',
      tie_word_embeddings: c.tiedEmbeddings,
      ...(qwen2 ? { use_sliding_window: false } : { attention_bias: c.bias, mlp_bias: c.bias }),
      torch_dtype: 'float32',
    };
  },
};
