import { ModelConfig, resolveConfig } from '../config';
import { presetConfig, presetNames } from '../families';
import { configFromHf, configToHf } from './hf-config';

const WHERE = 'ckpt/config.json';

// Upstream config.json files, verbatim but for keys that only concern training or generation.
const UPSTREAM: Record<string, Record<string, unknown>> = {
  gpt2: {
    activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], attn_pdrop: 0.1, bos_token_id: 50256, embd_pdrop: 0.1, eos_token_id: 50256,
    layer_norm_epsilon: 1e-5, model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, resid_pdrop: 0.1, vocab_size: 50257,
  },
  'pythia-70m': {
    architectures: ['GPTNeoXForCausalLM'], bos_token_id: 0, eos_token_id: 0, hidden_act: 'gelu', hidden_size: 512, intermediate_size: 2048, layer_norm_eps: 1e-5,
    max_position_embeddings: 2048, model_type: 'gpt_neox', num_attention_heads: 8, num_hidden_layers: 6, rotary_emb_base: 10000, rotary_pct: 0.25,
    tie_word_embeddings: false, torch_dtype: 'float16', use_cache: true, use_parallel_residual: true, vocab_size: 50304,
  },
  'SmolLM2-135M': {
    architectures: ['LlamaForCausalLM'], attention_bias: false, hidden_act: 'silu', hidden_size: 576, intermediate_size: 1536, max_position_embeddings: 8192,
    model_type: 'llama', num_attention_heads: 9, num_hidden_layers: 30, num_key_value_heads: 3, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_interleaved: false,
    rope_scaling: null, rope_theta: 100000, tie_word_embeddings: true, torch_dtype: 'bfloat16', vocab_size: 49152,
  },
  'Qwen2.5-0.5B': {
    architectures: ['Qwen2ForCausalLM'], hidden_act: 'silu', hidden_size: 896, intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 24,
    model_type: 'qwen2', num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768,
    tie_word_embeddings: true, torch_dtype: 'bfloat16', use_sliding_window: false, vocab_size: 151936,
  },
  'TinyLlama-1.1B': {
    architectures: ['LlamaForCausalLM'], attention_bias: false, hidden_act: 'silu', hidden_size: 2048, intermediate_size: 5632, max_position_embeddings: 2048,
    model_type: 'llama', num_attention_heads: 32, num_hidden_layers: 22, num_key_value_heads: 4, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_scaling: null,
    rope_theta: 10000.0, tie_word_embeddings: false, torch_dtype: 'float32', vocab_size: 32000,
  },
};

// https://huggingface.co/mistralai/Mistral-7B-v0.1/blob/main/config.json
const MISTRAL = {
  architectures: ['MistralForCausalLM'], hidden_act: 'silu', hidden_size: 4096, intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral',
  num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 10000.0, sliding_window: 4096, tie_word_embeddings: false, vocab_size: 32000,
};

describe('Hugging Face config.json', () => {
  it.each(Object.keys(UPSTREAM))('reads upstream %s into its preset', (name) => {
    expect(configFromHf(UPSTREAM[name], name, WHERE)).toEqual(presetConfig(name));
  });

  it('reads Mistral as Llama, ignoring the sliding window', () => {
    const c = configFromHf(MISTRAL, 'mistral-7b', WHERE);
    expect(c).toMatchObject({ family: 'llama', nHead: 32, nQueryGroups: 8, headSize: 128, mlpHidden: 14336, blockSize: 32768, ropeLayout: 'half', bias: false, qkvBias: false });
  });

  it('reads head_dim and the theta in newer rope_parameters', () => {
    const json = { ...UPSTREAM['TinyLlama-1.1B'], head_dim: 32, rope_theta: undefined, rope_parameters: { rope_type: 'default', rope_theta: 5e5 } };
    expect(configFromHf(json, 't', WHERE)).toMatchObject({ headSize: 32, ropeTheta: 5e5 });
  });

  it.each(presetNames())('writes preset %s as a config.json that reads back to it', (name) => {
    const c: ModelConfig = { ...presetConfig(name), ropeLayout: 'half' }; // saving converts interleaved RoPE first
    const json = configToHf(c);
    expect(json).toMatchObject({ torch_dtype: 'float32', architectures: [expect.stringMatching(/ForCausalLM|LMHeadModel/)] });
    expect(configFromHf(JSON.parse(JSON.stringify(json)), name, WHERE)).toEqual(c);
  });

  it('names the model type and its class for each family', () => {
    expect(configToHf(presetConfig('Qwen2.5-0.5B'))).toMatchObject({ model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'] });
    expect(configToHf(presetConfig('TinyLlama-1.1B'))).toMatchObject({ model_type: 'llama', architectures: ['LlamaForCausalLM'], attention_bias: false, mlp_bias: false });
    expect(configToHf(presetConfig('pythia-14m'))).toMatchObject({ model_type: 'gpt_neox', rotary_pct: 0.25, use_parallel_residual: true, hidden_act: 'gelu' });
    expect(configToHf(presetConfig('gpt2'))).toMatchObject({ model_type: 'gpt2', activation_function: 'gelu_new', n_positions: 1024 });
  });

  describe('errors name the key and the value', () => {
    it('an unknown model_type', () => {
      expect(() => configFromHf({ model_type: 'bert' }, 'b', WHERE)).toThrow(`${WHERE}: unsupported model_type "bert" (supported: llama, mistral, qwen2, gpt2, gpt_neox)`);
      expect(() => configFromHf([], 'b', WHERE)).toThrow(`${WHERE}: config.json must be a JSON object`);
    });

    it('unsupported features and missing or mistyped keys, all at once', () => {
      const json = { ...UPSTREAM['TinyLlama-1.1B'], hidden_act: 'gelu', rope_scaling: { rope_type: 'linear', factor: 2 }, hidden_size: '2048', intermediate_size: undefined };
      expect(() => configFromHf(json, 't', WHERE)).toThrow(
        `${WHERE}: unsupported llama config: 'hidden_act' = "gelu": only 'silu' (the SwiGLU MLP) is supported for 'llama' models; ` +
          `'hidden_size' must be a positive integer, got "2048"; missing 'intermediate_size'; ` +
          `'rope_scaling' = {"rope_type":"linear","factor":2}: RoPE scaling is not supported; only plain RoPE models load`,
      );
      expect(() => configFromHf({ ...UPSTREAM['TinyLlama-1.1B'], attention_bias: true }, 't', WHERE)).toThrow(`'attention_bias' = true with 'mlp_bias' = false: only both or neither are supported`);
      expect(() => configFromHf({ ...UPSTREAM.gpt2, activation_function: 'relu' }, 'g', WHERE)).toThrow(`'activation_function' = "relu": supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast`);
      expect(() => configFromHf({ ...UPSTREAM['pythia-70m'], rotary_pct: 0.3 }, 'p', WHERE)).toThrow(
        `${WHERE}: config 'p': RoPE needs an even number of rotated dimensions, got 19 (headSize 64 × rotaryFraction 0.3)`,
      );
    });

    it('a value nested too deep to stringify is described, not thrown on (found by tools/fuzz)', () => {
      const deep = JSON.parse(`${'['.repeat(100_000)}1${']'.repeat(100_000)}`);
      expect(() => configFromHf({ ...UPSTREAM.gpt2, n_layer: deep }, 'g', WHERE)).toThrow(`${WHERE}: unsupported gpt2 config: 'n_layer' must be a positive integer, got […] (an array nested too deep to show)`);
      expect(() => configFromHf({ ...UPSTREAM.gpt2, model_type: deep }, 'g', WHERE)).toThrow(`${WHERE}: unsupported model_type […] (an array nested too deep to show) (supported:`);
      expect(() => configFromHf({ ...UPSTREAM['TinyLlama-1.1B'], rope_scaling: { rope_type: deep } }, 't', WHERE)).toThrow(`'rope_scaling' = an object nested too deep to show: RoPE scaling is not supported`);
    });

    it('sizes past any real model fail at once instead of exhausting memory (found by tools/fuzz)', () => {
      // 1e308 is an integer to JavaScript; looping over that many layers ran out of memory.
      expect(() => configFromHf({ ...UPSTREAM.gpt2, n_layer: 1e308 }, 'g', WHERE)).toThrow(`${WHERE}: config 'g': nLayer must be at most 1024, got 1e+308`);
      expect(() => configFromHf({ ...UPSTREAM.gpt2, vocab_size: 2 ** 31 }, 'g', WHERE)).toThrow(`${WHERE}: config 'g': vocabSize must be at most 2147483647, got 2147483648`);
      expect(configFromHf({ ...UPSTREAM.gpt2, n_layer: 1024 }, 'g', WHERE).nLayer).toBe(1024);
    });

    it('a config Hugging Face cannot express', () => {
      const uneven = resolveConfig({ name: 'cut', family: 'gpt_neox', vocabSize: 64, nEmbd: 32, nLayer: 2, nHead: 4, nQueryGroups: 2, layerHeads: [4, 2], norm: 'rmsnorm' });
      expect(() => configToHf(uneven)).toThrow(
        `config 'cut' cannot be saved as a Hugging Face gpt_neox model: norm is "rmsnorm", the architecture needs "layernorm"; ` +
          `layers of different widths (layerHeads / layerMlpHidden) cannot be expressed: Hugging Face configs give one width for all layers; ` +
          `nQueryGroups 2 differs from nHead 4: GPT-NeoX has one key/value head per query head`,
      );
      expect(() => configToHf(presetConfig('stories260K'))).toThrow(`ropeLayout is "interleaved", the architecture needs "half"`);
    });
  });
});
