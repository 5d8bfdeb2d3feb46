/**
 * The config.json we write against what Python transformers' config classes read. Each
 * class below is written out from its `__init__` (transformers 4.46–4.57): every keyword
 * with its default, and the attributes the modeling code reads with getattr. An emulation
 * of the class applies those defaults to our file and derives what the model is built from
 * (head_dim from hidden_size / heads when absent, key/value heads from the query heads...);
 * that must describe our model exactly, and every key we write must be one the class reads.
 */
import { ModelConfig, resolveConfig } from '../config';
import { configToHf } from './hf-config';

/** Keys every PretrainedConfig reads (`architectures`, token ids, dtype...). */
const PRETRAINED = ['architectures', 'model_type', 'torch_dtype', 'dtype', 'bos_token_id', 'eos_token_id', 'pad_token_id', 'tie_word_embeddings', 'transformers_version'];

type Defaults = Record<string, unknown>;

/** Each class's keywords and defaults; `attributes` are read by the modeling code with getattr. */
const CLASSES: Record<string, { keywords: Defaults; attributes?: Defaults }> = {
  LlamaConfig: {
    keywords: {
      vocab_size: 32000, hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: null, hidden_act: 'silu',
      max_position_embeddings: 2048, initializer_range: 0.02, rms_norm_eps: 1e-6, use_cache: true, pad_token_id: null, bos_token_id: 1, eos_token_id: 2, pretraining_tp: 1,
      tie_word_embeddings: false, rope_theta: 10000.0, rope_scaling: null, attention_bias: false, attention_dropout: 0.0, mlp_bias: false, head_dim: null,
    },
  },
  Qwen2Config: {
    keywords: {
      vocab_size: 151936, hidden_size: 4096, intermediate_size: 22016, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, hidden_act: 'silu',
      max_position_embeddings: 32768, initializer_range: 0.02, rms_norm_eps: 1e-6, use_cache: true, tie_word_embeddings: false, rope_theta: 10000.0, rope_scaling: null,
      use_sliding_window: false, sliding_window: 4096, max_window_layers: 28, layer_types: null, attention_dropout: 0.0,
    },
    // Qwen2Attention: self.head_dim = getattr(config, "head_dim", hidden_size // num_attention_heads)
    attributes: { head_dim: null },
  },
  GPT2Config: {
    keywords: {
      vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null, activation_function: 'gelu_new', resid_pdrop: 0.1, embd_pdrop: 0.1,
      attn_pdrop: 0.1, layer_norm_epsilon: 1e-5, initializer_range: 0.02, summary_type: 'cls_index', summary_use_proj: true, summary_activation: null,
      summary_proj_to_labels: true, summary_first_dropout: 0.1, scale_attn_weights: true, use_cache: true, bos_token_id: 50256, eos_token_id: 50256,
      scale_attn_by_inverse_layer_idx: false, reorder_and_upcast_attn: false, tie_word_embeddings: true,
    },
  },
  GPTNeoXConfig: {
    keywords: {
      vocab_size: 50432, hidden_size: 6144, num_hidden_layers: 44, num_attention_heads: 64, intermediate_size: 24576, hidden_act: 'gelu', rotary_pct: 0.25,
      rotary_emb_base: 10000, attention_dropout: 0.0, hidden_dropout: 0.0, classifier_dropout: 0.1, max_position_embeddings: 2048, initializer_range: 0.02,
      layer_norm_eps: 1e-5, use_cache: true, bos_token_id: 0, eos_token_id: 2, tie_word_embeddings: false, use_parallel_residual: true, rope_scaling: null, attention_bias: true,
    },
    // Newer releases read the rotary settings under Llama's names (rope_theta, partial_rotary_factor).
    attributes: { rope_theta: null, partial_rotary_factor: null },
  },
};

const CLASS_OF: Record<string, string> = { LlamaForCausalLM: 'LlamaConfig', Qwen2ForCausalLM: 'Qwen2Config', GPT2LMHeadModel: 'GPT2Config', GPTNeoXForCausalLM: 'GPTNeoXConfig' };

/** What the class's model is built from, as transformers derives it from the file and the defaults. */
function builtFrom(cls: string, json: Record<string, unknown>): Record<string, unknown> {
  const { keywords, attributes } = CLASSES[cls];
  const v = { ...keywords, ...attributes, ...json } as Record<string, number & string & boolean & null>;
  switch (cls) {
    case 'LlamaConfig':
    case 'Qwen2Config':
      return {
        vocab: v.vocab_size, embd: v.hidden_size, layers: v.num_hidden_layers, heads: v.num_attention_heads, kvHeads: v.num_key_value_heads ?? v.num_attention_heads,
        headDim: v.head_dim ?? Math.floor(v.hidden_size / v.num_attention_heads), mlp: v.intermediate_size, act: v.hidden_act, positions: v.max_position_embeddings,
        eps: v.rms_norm_eps, theta: v.rope_theta, scaling: v.rope_scaling, tied: v.tie_word_embeddings,
        qkvBias: cls === 'Qwen2Config' || v.attention_bias, bias: cls === 'LlamaConfig' && v.attention_bias && v.mlp_bias,
      };
    case 'GPT2Config':
      return {
        vocab: v.vocab_size, embd: v.n_embd, layers: v.n_layer, heads: v.n_head, kvHeads: v.n_head, headDim: v.n_embd / v.n_head, mlp: v.n_inner ?? 4 * v.n_embd,
        act: v.activation_function, positions: v.n_positions, eps: v.layer_norm_epsilon, tied: v.tie_word_embeddings, scaled: v.scale_attn_weights && !v.scale_attn_by_inverse_layer_idx,
      };
    default:
      return {
        vocab: v.vocab_size, embd: v.hidden_size, layers: v.num_hidden_layers, heads: v.num_attention_heads, kvHeads: v.num_attention_heads, headDim: v.hidden_size / v.num_attention_heads,
        mlp: v.intermediate_size, act: v.hidden_act, positions: v.max_position_embeddings, eps: v.layer_norm_eps, tied: v.tie_word_embeddings,
        rotary: v.partial_rotary_factor ?? v.rotary_pct, theta: v.rope_theta ?? v.rotary_emb_base, parallel: v.use_parallel_residual, bias: v.attention_bias,
      };
  }
}

/** What our config says the same quantities are. */
function ours(c: ModelConfig): Record<string, unknown> {
  const common = { vocab: c.vocabSize, embd: c.nEmbd, layers: c.nLayer, heads: c.nHead, kvHeads: c.nQueryGroups, headDim: c.headSize, mlp: c.mlpHidden, positions: c.blockSize, eps: c.normEps, tied: c.tiedEmbeddings };
  if (c.family === 'llama') return { ...common, act: 'silu', theta: c.ropeTheta, scaling: null, qkvBias: c.qkvBias, bias: c.bias };
  if (c.family === 'gpt2') return { ...common, act: c.gelu === 'tanh' ? 'gelu_new' : 'gelu', scaled: true };
  return { ...common, act: c.gelu === 'tanh' ? 'gelu_new' : 'gelu', rotary: c.rotaryFraction, theta: c.ropeTheta, parallel: c.parallelResidual, bias: true };
}

const CONFIGS: ModelConfig[] = [
  // A Llama sub-network: head size 16 with hidden 96 and 4 heads (not 96 / 4 = 24), fewer layers, GQA.
  resolveConfig({ name: 'llama-sub', family: 'llama', vocabSize: 512, nEmbd: 96, nLayer: 3, nHead: 4, nQueryGroups: 2, headSize: 16, mlpHidden: 200, blockSize: 256, ropeTheta: 5e5, tiedEmbeddings: true }),
  resolveConfig({ name: 'llama-bias', family: 'llama', vocabSize: 100, nEmbd: 32, nLayer: 2, nHead: 4, mlpHidden: 64, bias: true, qkvBias: true, normEps: 1e-6 }),
  resolveConfig({ name: 'qwen2-sub', family: 'llama', vocabSize: 100, nEmbd: 48, nLayer: 2, nHead: 4, nQueryGroups: 1, headSize: 8, mlpHidden: 64, qkvBias: true }),
  resolveConfig({ name: 'gpt2-sub', family: 'gpt2', vocabSize: 300, nEmbd: 48, nLayer: 2, nHead: 4, mlpHidden: 100, blockSize: 64 }),
  resolveConfig({ name: 'neox-sub', family: 'gpt_neox', vocabSize: 300, nEmbd: 48, nLayer: 2, nHead: 4, mlpHidden: 100, rotaryFraction: 0.5, ropeTheta: 1000, parallelResidual: false }),
];

describe.each(CONFIGS.map((c) => [c.name, c] as const))('config.json of %s', (_, c) => {
  const json = configToHf(c);
  const cls = CLASS_OF[(json.architectures as string[])[0]];

  test('names a config class, and writes only keys that class reads', () => {
    expect(cls).toBeDefined();
    const known = new Set([...PRETRAINED, ...Object.keys(CLASSES[cls].keywords), ...Object.keys(CLASSES[cls].attributes ?? {})]);
    expect(Object.keys(json).filter((k) => !known.has(k))).toEqual([]);
    expect(json.torch_dtype).toBe('float32');
  });

  test('with the class defaults applied, describes this model exactly', () => {
    expect(builtFrom(cls, json)).toEqual(ours(c));
  });

  test('states every size a sub-network changes, rather than leaving it to a default', () => {
    const sizes: Record<string, string[]> = {
      LlamaConfig: ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'tie_word_embeddings', 'rope_theta'],
      Qwen2Config: ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'tie_word_embeddings', 'rope_theta'],
      GPT2Config: ['vocab_size', 'n_embd', 'n_inner', 'n_layer', 'n_head', 'n_positions', 'tie_word_embeddings'],
      GPTNeoXConfig: ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'rotary_pct', 'partial_rotary_factor', 'rotary_emb_base', 'rope_theta', 'tie_word_embeddings'],
    };
    expect(sizes[cls].filter((k) => json[k] === undefined)).toEqual([]);
  });
});
